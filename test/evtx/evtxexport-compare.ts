// Comparison of our event XML with Debian's `evtxexport -f xml` (libevtx 20181227), field by field.
//
// Normalizations, because the two print the same values differently:
// - GUIDs: evtxexport prints {UPPER} for GUID values (and literal template text as-is); we print
//   {UPPER}. Compared upper-cased without braces.
// - hex integers: evtxexport zero-pads HexInt64 to 16 digits (0x00000000000003e7); Windows and we
//   print 0x3e7. Compared as numbers.
// - FILETIME: evtxexport prints 9 fractional digits (100 ns ticks + "00"); we print the 7 digits
//   Windows shows. Compared on the first 7 digits.
// - whitespace: evtxexport prints a value that is only a line break (e.g. ExtraInfo "\n") as an
//   empty element; whitespace-only values compare as "".
// - RenderingInfo: forwarded events carry a <RenderingInfo> block that evtxexport 20181227 leaves
//   out; paths under Event/RenderingInfo that only we print are not differences.
import type { XmlEl } from './mini-xml.js';

export type Flat = Map<string, string>;

/** Flattens an <Event> into path -> value, e.g. System/EventID, System/Provider@Name, EventData/Data[SubjectUserSid]. */
export function flattenEvent(ev: XmlEl): Flat {
  const out: Flat = new Map();
  const walk = (el: XmlEl, prefix: string) => {
    for (const [k, v] of Object.entries(el.attrs)) out.set(`${prefix}@${k}`, v);
    if (el.children.length === 0) out.set(prefix, el.text);
    const seen = new Map<string, number>();
    for (const c of el.children) {
      let key = c.name;
      if (c.name === 'Data' && c.attrs.Name !== undefined) key = `Data[${c.attrs.Name}]`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      walk(c, `${prefix}/${key}${n ? '#' + n : ''}`);
    }
  };
  walk(ev, 'Event');
  return out;
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
const HEX = /^0x([0-9a-fA-F]+)$/;
const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)Z$/;

export function normalize(v: string): string {
  let m: RegExpExecArray | null;
  if (v.trim() === '') return '';
  // each pattern's groups sit outside any optional part: a match sets them all
  if ((m = GUID.exec(v))) return m[1]!.toUpperCase();
  if ((m = HEX.exec(v))) return '0x' + BigInt('0x' + m[1]!).toString(16);
  if ((m = TIME.exec(v))) return `${m[1]!}.${m[2]!.padEnd(7, '0').slice(0, 7)}Z`;
  return v;
}

/** Differences between two flattened events (after normalization). */
export function diffEvents(ours: Flat, theirs: Flat): string[] {
  const diffs: string[] = [];
  for (const [k, v] of theirs) {
    const o = ours.get(k);
    if (o === undefined) diffs.push(`${k}: missing in ours (evtxexport: ${JSON.stringify(v.slice(0, 80))})`);
    else if (normalize(o) !== normalize(v)) diffs.push(`${k}: ours ${JSON.stringify(o.slice(0, 120))} vs evtxexport ${JSON.stringify(v.slice(0, 120))}`);
  }
  for (const k of ours.keys()) {
    if (!theirs.has(k) && !k.startsWith('Event/RenderingInfo')) diffs.push(`${k}: only in ours`);
  }
  return diffs;
}
