// A small seeded random source (sfc32, seeded by FNV-1a of the seed's text): the same seed gives the
// same logs on every machine and Node version, which Math.random cannot promise.

export interface Random {
  /** [0, 1) */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(items: ReadonlyArray<readonly [number, T]>): T;
  chance(p: number): boolean;
  hex(len: number): string;
}

export function createRandom(seed: number | string): Random {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let a = h, b = h ^ 0x9e3779b9, c = h ^ 0x243f6a88, d = 1;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const rnd: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted(items) {
      let total = 0;
      for (const [w] of items) total += w;
      let x = next() * total;
      for (const [w, v] of items) {
        if ((x -= w) < 0) return v;
      }
      return items[items.length - 1]![1];
    },
    chance: (p) => next() < p,
    hex(len) {
      let s = '';
      for (let i = 0; i < len; i++) s += '0123456789abcdef'[Math.floor(next() * 16)];
      return s;
    },
  };
  return rnd;
}
