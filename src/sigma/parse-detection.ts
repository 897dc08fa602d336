// Turns the `detection` section (and a filter's `filter` section) into typed detections and conditions.
import type { DiagnosticSink, Position, Span } from './diagnostics.js';
import type { ConditionNode, Detection, DetectionGroup, DetectionItem } from './model.js';
import { ConditionError, parseCondition } from './condition.js';
import { buildItem, ModifierError } from './modifiers.js';
import { MAX_VALUES_PER_FIELD } from './limits.js';
import { keySpan, spanOf, type ScalarValue, type YMap, type YNode, type YScalar } from './yaml-tree.js';
import { thousands } from './thousands.js';

export interface ParsedDetection {
  detections: Map<string, Detection>;
  conditions: ConditionNode[];
  conditionText: string[];
}

/** Keys of a detection section that are not search identifiers. */
const NON_IDENTIFIERS = new Set(['condition', 'timeframe']);

export function parseDetectionSection(map: YMap, sink: DiagnosticSink, origin: DetectionItem['origin'], extraKeys: string[] = []): ParsedDetection {
  const detections = new Map<string, Detection>();
  const conditions: ConditionNode[] = [];
  const conditionText: string[] = [];
  for (const entry of map.entries) {
    if (entry.key === 'condition') {
      const list = entry.value.kind === 'seq' ? entry.value.items : [entry.value];
      if (list.length === 0) sink.report('missing-condition', 'the condition list is empty', keySpan(entry));
      for (const node of list) {
        if (node.kind !== 'scalar' || typeof node.value !== 'string' || !node.value.trim()) {
          sink.report('invalid-condition', 'a condition must be a non-empty string', spanOf(node));
          continue;
        }
        const text = node.value;
        const at = conditionPositioner(node);
        try {
          conditions.push(parseCondition(text, at));
          conditionText.push(text);
        } catch (e) {
          if (!(e instanceof ConditionError)) throw e;
          sink.report(e.code, e.message, { start: at(e.offset), end: at(e.offset + e.length) });
        }
      }
      continue;
    }
    if (entry.key === 'timeframe') {
      sink.report('deprecated-timeframe', "'timeframe' belongs to the old aggregation syntax; correlation rules carry a timespan instead", keySpan(entry));
      continue;
    }
    if (extraKeys.includes(entry.key) || NON_IDENTIFIERS.has(entry.key)) continue;
    // An identifier whose body has errors stays defined (empty), so the condition does not report
    // a second, misleading 'undefined identifier' for it; the rule is rejected for the first error.
    const body = parseIdentifierBody(entry.value, sink, origin, keySpan(entry)) ?? { link: 'and' as const, children: [], pos: entry.keyPos };
    detections.set(entry.key, { name: entry.key, pos: entry.keyPos, body });
  }
  // Copies at their exact length: arrays grown by push keep room for sixteen more (values.ts normalizeParts).
  return { detections, conditions: conditions.slice(), conditionText: conditionText.slice() };
}

/** Maps offsets in a condition string to file positions (exact for plain and quoted one-line scalars). */
function conditionPositioner(node: YScalar): (offset: number) => Position {
  const shift = node.quoted && !node.source.includes('\n') ? 1 : 0;
  return (offset) => ({ line: node.pos.line, col: node.pos.col + shift + offset });
}

/** `key` is the identifier's name: an empty body has no text of its own, so errors about it span the name. */
function parseIdentifierBody(node: YNode, sink: DiagnosticSink, origin: DetectionItem['origin'], key: Span): DetectionGroup | null {
  if (node.kind === 'map') return parseMap(node, sink, origin);
  if (node.kind === 'seq') {
    if (node.items.length === 0) {
      sink.report('empty-detection', 'this search identifier has an empty list', key);
      return null;
    }
    const children: Array<DetectionItem | DetectionGroup> = [];
    const keywords = node.items.filter((n): n is YScalar => n.kind === 'scalar');
    if (keywords.length) {
      const item = makeItem(null, [], keywords.map((k) => k.value), { start: keywords[0]!.pos, end: keywords.at(-1)!.end }, sink, origin);
      if (item) children.push(item);
    }
    for (const n of node.items) {
      if (n.kind === 'map') {
        const g = parseMap(n, sink, origin);
        if (g) children.push(g);
      } else if (n.kind === 'seq') sink.report('invalid-detection', 'a list inside a list is not a valid search identifier body', spanOf(n));
    }
    return children.length ? { link: 'or', children: children.slice(), pos: node.pos } : null;
  }
  if (node.value === null) {
    sink.report('empty-detection', 'this search identifier is empty', key);
    return null;
  }
  const item = makeItem(null, [], [node.value], spanOf(node), sink, origin);
  return item ? { link: 'or', children: [item], pos: node.pos } : null;
}

function parseMap(map: YMap, sink: DiagnosticSink, origin: DetectionItem['origin']): DetectionGroup | null {
  if (map.entries.length === 0) {
    sink.report('empty-detection', 'this search identifier is an empty map', spanOf(map));
    return null;
  }
  const children: DetectionItem[] = [];
  for (const e of map.entries) {
    const names = e.key.split('|');
    const fieldName = names[0];
    const modifiers = names.slice(1); // not `...modifiers`, whose array keeps room for sixteen more
    const field = fieldName === '' ? null : fieldName!;
    let raw: ScalarValue[];
    if (e.value.kind === 'scalar') raw = [e.value.value];
    else if (e.value.kind === 'seq') {
      if (e.value.items.some((i) => i.kind !== 'scalar')) {
        sink.report('invalid-value', `the values of '${e.key}' must be plain scalars`, spanOf(e.value));
        continue;
      }
      raw = (e.value.items as YScalar[]).map((i) => i.value);
      if (raw.length === 0) {
        sink.report('empty-value-list', `'${e.key}' has an empty value list`, keySpan(e));
        continue;
      }
    } else {
      sink.report('invalid-value', `the value of '${e.key}' is a map; field values must be scalars or lists`, spanOf(e.value));
      continue;
    }
    const item = makeItem(field, modifiers, raw, keySpan(e), sink, origin);
    if (item) children.push(item);
  }
  return children.length ? { link: 'and', children: children.slice(), pos: map.pos } : null;
}

/**
 * `at` is the text the item comes from: the `field|modifiers` key, or the keywords. A modifier error
 * spans the whole key, so that it starts where the item does (what `file:line:col` has always shown).
 */
function makeItem(field: string | null, modifiers: string[], raw: ScalarValue[], at: Span, sink: DiagnosticSink, origin: DetectionItem['origin']): DetectionItem | null {
  const tooMany = (n: number, how: string) => sink.report('too-many-values', `${field === null ? 'the keyword list' : `'${field}'`} has ${thousands(n)} values${how}; the limit is ${thousands(MAX_VALUES_PER_FIELD)}`, at);
  // Checked before the modifiers run, so that a huge list costs no more than its counting.
  if (raw.length > MAX_VALUES_PER_FIELD) {
    tooMany(raw.length, '');
    return null;
  }
  try {
    const item = buildItem(field, modifiers, raw, { pos: at.start, origin });
    if (item.values.length <= MAX_VALUES_PER_FIELD) return item;
    tooMany(item.values.length, ` once its modifiers (${modifiers.join('|')}) expand them`);
    return null;
  } catch (e) {
    if (!(e instanceof ModifierError)) throw e;
    sink.report(e.code, e.message, at);
    return null;
  }
}
