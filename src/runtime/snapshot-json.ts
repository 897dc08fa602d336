// Correlation state as JSON text. The correlator's state holds -Infinity (nothing released yet, a
// group never quiet), which JSON.stringify would turn into null, and null compares as 0: an event
// before 1970 would then count as late. So infinities are written as marked strings (a NUL first:
// no group value read from an event's text field can be mistaken for one) and read back.
const POS = '\u0000Infinity';
const NEG = '\u0000-Infinity';

export function stateToJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v === Infinity ? POS : v === -Infinity ? NEG : v));
}

export function stateFromJson<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => (v === POS ? Infinity : v === NEG ? -Infinity : v)) as T;
}
