// What the "no condition missing" checks of every backend look for, whatever the target's syntax:
// a test's description for messages, and the literal text pieces of its value.
import type { FieldTest, SigmaValue } from '../../src/ir/types.js';

/** `field=value` of a test, short, for a message. */
export function describeTest(t: FieldTest): string {
  return `${t.field ?? '<keyword>'}=${JSON.stringify(t.value, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)).slice(0, 60)}`;
}

/**
 * The literal pieces a query must carry for a value: a string's literal parts, a number as written
 * (without a leading +), a CIDR block, a comparison's bound. Regular expressions and field
 * references are left to each checker: every backend writes them its own way.
 */
export function literalPieces(v: SigmaValue): string[] {
  switch (v.type) {
    case 'string':
      return v.parts.filter((p): p is string => typeof p === 'string');
    case 'number':
      return [v.text.replace(/^\+/, '')];
    case 'cidr':
      return [v.text];
    case 'compare':
      return [String(v.value)];
    default:
      return [];
  }
}
