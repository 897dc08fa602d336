// Lowering of a field with several names. A pipeline that maps `Image` to `Image` (Sysmon 1) or
// `NewProcessName` (Security 4688) does not create two fields: it says the one logical field is
// whichever of the names the event carries. A real event carries one of them, so a test that holds
// when its field is missing (`null`, `exists: false`, and `''` where the target cannot tell empty
// from missing) must hold for every name (AND): `Image: null` as `Image is null OR NewProcessName is
// null` would hold on every event. Every other test must hold for one of the names (OR). On an event
// that carries exactly one name, both forms give the test's value on that name; on an event that
// carries none, they give the value the test has on a missing field.
import type { DetectionItem } from '../sigma/model.js';
import type { SigmaValue } from '../sigma/values.js';

export interface AlternativesOptions {
  /**
   * The target reads a missing field as an empty string (KQL's string columns and dynamic
   * values), so `''` holds on a missing field there.
   */
  emptyIsMissing?: boolean;
}

/** Whether a test of `value` holds on an event that does not carry the field. */
export function holdsOnMissing(item: DetectionItem, value: SigmaValue, opts: AlternativesOptions): boolean {
  // `neq` requires the field to be there (see ir/lower.ts).
  if (item.negate) return false;
  if (value.type === 'null') return true;
  if (value.type === 'exists') return !value.value;
  if (opts.emptyIsMissing && value.type === 'string') return value.parts.length === 0 || (value.parts.length === 1 && value.parts[0] === '');
  return false;
}

/** Copies of one item that differ only in the field name: lowered value by value. */
export function sameShape(items: readonly DetectionItem[]): boolean {
  const first = items[0]!;
  return items.every((i) => i.values.length === first.values.length && i.link === first.link && i.negate === first.negate && i.cased === first.cased && i.timePart === first.timePart);
}
