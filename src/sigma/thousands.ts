// Counts written with thousands separators (3,951 rules). `toLocaleString('en-US')` writes the same
// but loads ICU's number formatting on first use, about 15 ms of every command's start (the
// diagnostic catalogue names its limits at load).

/** An integer as `toLocaleString('en-US')` writes it; any other number is left to it. */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return n < 0 ? '-' + out : out;
}
