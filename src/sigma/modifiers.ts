// Value modifiers of the Sigma specification's appendix, applied in the order written.
// Each modifier is a small function over the item being built; unknown or misapplied modifiers
// become a located error for the rule, never a silently different search.
import type { CodeOfRoom } from './diagnostic-codes.js';
import type { DetectionItem, TimePart } from './model.js';
import type { ScalarValue } from './yaml-tree.js';
import { base64Offsets, base64OfBytes, textToBytes, utf16 } from './encoding.js';
import { parseCidr } from './cidr.js';
import { nearest } from './nearest.js';
import {
  STAR, hasWildcards, isWildcard, normalizeParts, parseSigmaString,
  type SigmaString, type SigmaValue, type StringPart,
} from './values.js';

export class ModifierError extends Error {
  constructor(readonly code: CodeOfRoom<'modifier'>, message: string) {
    super(message);
  }
}

export const TIME_PARTS: readonly TimePart[] = ['minute', 'hour', 'day', 'week', 'month', 'year'];
const COMPARE = ['lt', 'lte', 'gt', 'gte'] as const;
const RE_FLAGS = { i: 'i', m: 'm', s: 's' } as const;

export const KNOWN_MODIFIERS = new Set<string>([
  'contains', 'startswith', 'endswith', 'all', 'base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide',
  'windash', 're', 'i', 'm', 's', 'cidr', 'exists', 'cased', 'neq', 'expand', 'fieldref',
  ...COMPARE, ...TIME_PARTS,
]);

/** Modifiers that take the raw YAML text rather than a parsed Sigma string. */
const RAW_TEXT = new Set(['re', 'cidr', 'fieldref']);

interface Building {
  item: DetectionItem;
  afterRe: boolean;
}

/**
 * Builds a detection item from a field key's modifier chain and its raw YAML values.
 * Throws ModifierError with a stable code on misuse.
 */
export function buildItem(field: string | null, modifiers: string[], raw: ScalarValue[], base: Pick<DetectionItem, 'pos' | 'origin'>): DetectionItem {
  for (const m of modifiers) {
    if (!KNOWN_MODIFIERS.has(m)) throw new ModifierError('unknown-modifier', `unknown modifier '${m}'${suggest(m)}`);
  }
  const rawFirst = modifiers.find((m) => RAW_TEXT.has(m));
  const expand = modifiers.includes('expand');
  if (raw.length > 1 && raw.some((v) => v === null)) {
    throw new ModifierError('null-in-list', 'null cannot be part of a value list; put `field: null` in its own selection');
  }
  const values: SigmaValue[] = raw.map((v) => initialValue(v, rawFirst !== undefined, expand));
  // Written out rather than `{ ...base, field, … }`: a spread followed by new properties took V8's slow
  // path, about 5 µs an item, a tenth of parsing a corpus.
  const item: DetectionItem = { pos: base.pos, origin: base.origin, field, modifiers, values, link: 'or', cased: false, negate: false };
  const b: Building = { item, afterRe: false };
  for (const m of modifiers) apply(b, m);
  if (b.item.values.some((v) => v.type === 'exists') && b.item.field === null) {
    throw new ModifierError('exists-without-field', "'exists' needs a field");
  }
  return b.item;
}

function initialValue(v: ScalarValue, rawText: boolean, expand: boolean): SigmaValue {
  if (v === null) return { type: 'null' };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return { type: 'number', value: v, text: String(v) };
  if (rawText) return { type: 'string', parts: v ? [v] : [], encoding: 'text' };
  return parseSigmaString(v, expand);
}

function suggest(m: string): string {
  const k = suggestModifier(m);
  if (k === undefined) return '';
  return k === m.toLowerCase() ? ` (modifiers are lower case: '${k}')` : ` (did you mean '${k}'?)`;
}

/**
 * The known modifier an unknown one most likely meant (its lower case, or the nearest by spelling),
 * for the validator's hint and the editor's quick fix.
 */
export function suggestModifier(m: string): string | undefined {
  const lower = m.toLowerCase();
  if (KNOWN_MODIFIERS.has(lower)) return lower;
  // Not the one-letter sub-modifiers (i, m, s): any short typo would be 'near' them.
  return nearest(lower, [...KNOWN_MODIFIERS].filter((x) => x.length > 2), 2);
}

function apply(b: Building, m: string): void {
  const item = b.item;
  switch (m) {
    case 'contains':
    case 'startswith':
    case 'endswith':
      item.values = item.values.map((v) => {
        if (v.type === 'fieldref') return { ...v, match: m };
        const s = asString(v, m);
        return { type: 'string', parts: withStars(s.parts, m !== 'startswith', m !== 'endswith'), encoding: s.encoding };
      });
      return;
    case 'all':
      if (item.values.length < 2) throw new ModifierError('all-single-value', "'all' needs a list of at least two values");
      item.link = 'and';
      return;
    case 'base64':
      item.values = item.values.map((v) => {
        const s = asString(v, m);
        if (hasWildcards(s)) throw new ModifierError('wildcard-encoding', "'base64' cannot encode wildcards");
        return bytesString(base64OfBytes(textToBytes(s.parts.join(''), s.encoding)), 'text');
      });
      return;
    case 'base64offset':
      item.values = item.values.flatMap((v) => {
        const s = asString(v, m);
        if (hasWildcards(s)) throw new ModifierError('wildcard-encoding', "'base64offset' cannot encode wildcards");
        return base64Offsets(textToBytes(s.parts.join(''), s.encoding)).map((form) => bytesString(form, 'text'));
      });
      return;
    case 'utf16le':
    case 'wide':
    case 'utf16be':
    case 'utf16':
      item.values = item.values.map((v) => {
        const s = asString(v, m);
        if (s.encoding === 'bytes') throw new ModifierError('double-encoding', `'${m}' applied to an already encoded value`);
        const order = m === 'utf16be' ? 'be' : 'le';
        const parts: StringPart[] = s.parts.map((p) => (typeof p === 'string' ? utf16(p, order) : p));
        if (m === 'utf16') parts.unshift('\xff\xfe');
        return { type: 'string', parts: normalizeParts(parts), encoding: 'bytes' };
      });
      return;
    case 'windash':
      item.values = item.values.flatMap((v) => windash(asString(v, m)));
      return;
    case 're':
      item.values = item.values.map((v) => {
        const s = asString(v, m);
        return { type: 're', pattern: s.parts.join(''), flags: { i: false, m: false, s: false } };
      });
      b.afterRe = true;
      return;
    case 'i':
    case 'm':
    case 's':
      if (!b.afterRe) throw new ModifierError('regex-flag-without-re', `'${m}' is a sub-modifier of 're' and must follow it`);
      item.values = item.values.map((v) => (v.type === 're' ? { ...v, flags: { ...v.flags, [RE_FLAGS[m]]: true } } : v));
      return;
    case 'cidr':
      item.values = item.values.map((v) => {
        const text = asString(v, m).parts.join('');
        const c = parseCidr(text);
        if (!c) throw new ModifierError('invalid-cidr', `'${text}' is not an IPv4 or IPv6 network`);
        return c;
      });
      return;
    case 'exists':
      item.values = item.values.map((v) => {
        if (v.type !== 'bool') throw new ModifierError('exists-needs-boolean', "'exists' takes true or false");
        return { type: 'exists', value: v.value };
      });
      return;
    case 'cased':
      item.cased = true;
      return;
    case 'neq':
      item.negate = true;
      return;
    case 'expand':
      return; // placeholders were parsed from the raw text; pipelines fill them in
    case 'fieldref':
      item.values = item.values.map((v) => ({ type: 'fieldref', field: asString(v, m).parts.join(''), match: 'equals' }));
      return;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      item.values = item.values.map((v) => ({ type: 'compare', op: m, value: asNumber(v, m) }));
      return;
    default:
      if ((TIME_PARTS as string[]).includes(m)) {
        if (item.timePart) throw new ModifierError('time-part-twice', 'only one time-part modifier per field');
        item.timePart = m as TimePart;
        item.values = item.values.map((v) => (v.type === 'compare' ? v : { type: 'number', value: asNumber(v, m), text: String(asNumber(v, m)) }));
        return;
      }
      throw new ModifierError('unknown-modifier', `unknown modifier '${m}'`);
  }
}

/**
 * The parts with a `*` added before (`lead`) and after (`trail`) unless one is there, normalized.
 * Built at their exact length: a corpus loads tens of thousands of such values and keeps them all,
 * and an array grown by `push` keeps room for sixteen more parts.
 */
function withStars(parts: readonly StringPart[], lead: boolean, trail: boolean): StringPart[] {
  const n = parts.length;
  const before = lead && !(n && isWildcard(parts[0]!, '*'));
  const after = trail && !(n && isWildcard(parts[n - 1]!, '*'));
  const only = parts[0];
  if (n === 1 && typeof only === 'string' && only) return before && after ? [STAR, only, STAR] : before ? [STAR, only] : after ? [only, STAR] : [only];
  const out = before ? [STAR, ...parts] : [...parts];
  if (after) out.push(STAR);
  return normalizeParts(out);
}

function bytesString(text: string, encoding: 'text' | 'bytes'): SigmaString {
  return { type: 'string', parts: text ? [text] : [], encoding };
}

function asString(v: SigmaValue, m: string): SigmaString {
  if (v.type === 'string') return v;
  if (v.type === 'number') return { type: 'string', parts: [v.text], encoding: 'text' };
  throw new ModifierError('modifier-type', `'${m}' applies to strings, not to ${v.type === 'null' ? 'null' : `a ${v.type} value`}`);
}

function asNumber(v: SigmaValue, m: string): number {
  if (v.type === 'number') return v.value;
  if (v.type === 'string' && v.parts.length === 1 && typeof v.parts[0] === 'string' && /^[-+]?\d+(\.\d+)?$/.test(v.parts[0])) return Number(v.parts[0]);
  throw new ModifierError('modifier-type', `'${m}' needs a number`);
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_WINDASH_VARIANTS = 3125; // five dashes; more is certainly a rule bug

/** Every combination of the dash-like characters a Windows command line accepts for flags. */
function windash(s: SigmaString): SigmaString[] {
  let variants: StringPart[][] = [[]];
  for (const p of s.parts) {
    if (typeof p !== 'string') {
      variants = variants.map((v) => [...v, p]);
      continue;
    }
    const texts = dashVariants(p, variants.length);
    variants = variants.flatMap((v) => texts.map((t) => [...v, t]));
  }
  return variants.map((parts) => ({ type: 'string', parts: normalizeParts(parts), encoding: s.encoding }));
}

/**
 * A text with each dash-like character replaced by each of them in turn, the first dash varying
 * slowest; `others`: how many variants the rest of the value makes. Each variant is joined from
 * its pieces: built a character at a time, a long command-line flag stayed in memory as a chain
 * of one-character string pieces.
 */
function dashVariants(text: string, others: number): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (!DASHES.includes(text[i]!)) continue;
    pieces.push(text.slice(from, i));
    from = i + 1;
  }
  if (pieces.length === 0) return [text];
  pieces.push(text.slice(from));
  let combos: string[][] = [[pieces[0]!]];
  for (let k = 1; k < pieces.length; k++) {
    if (combos.length * DASHES.length * others > MAX_WINDASH_VARIANTS) throw new ModifierError('windash-explosion', `'windash' would create more than ${MAX_WINDASH_VARIANTS} variants`);
    combos = combos.flatMap((c) => DASHES.map((d) => [...c, d, pieces[k]!]));
  }
  return combos.map((c) => c.join(''));
}
