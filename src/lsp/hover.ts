// Hover text for a position in a rule: what an attribute, a log source key, a field or a modifier
// means, what an ATT&CK tag names, and which fields the pipelines know for a log source. Read from
// the YAML tree (the file being hovered is usually complete); Markdown out.
import { loadYamlDocuments, type YEntry, type YNode } from '../sigma/yaml-tree.js';
import type { Position, Span } from '../sigma/diagnostics.js';
import type { LogSource } from '../sigma/model.js';
import { describeLogsource } from '../sigma/logsource.js';
import { ATTRIBUTE_DOCS, LOGSOURCE_DOCS, MODIFIER_DOCS } from '../sigma/keyword-docs.js';
import { bundledAttack, resolveTags } from '../catalog/attack.js';
import { fieldsOf, type FieldUse, type Taxonomy } from './taxonomy.js';

export interface HoverText {
  markdown: string;
  span: Span;
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.col < b.col);
const inside = (p: Position, s: Span) => !before(p, s.start) && before(p, s.end);

/** One step from the root to the hovered text: an entry's key or value, or a list item. */
type Step = { entry: YEntry; on: 'key' | 'value' } | { item: YNode };

/** The steps down to the innermost key or scalar at `p`. */
function locate(node: YNode, p: Position, steps: Step[] = []): Step[] {
  if (node.kind === 'map') {
    for (const entry of node.entries) {
      if (inside(p, { start: entry.keyPos, end: entry.keyEnd })) return [...steps, { entry, on: 'key' }];
      if (inside(p, { start: entry.value.pos, end: entry.value.end })) return locate(entry.value, p, [...steps, { entry, on: 'value' }]);
    }
  } else if (node.kind === 'seq') {
    for (const item of node.items) if (inside(p, { start: item.pos, end: item.end })) return locate(item, p, [...steps, { item }]);
  }
  return steps;
}

function logsourceOf(root: YNode): LogSource {
  const ls: LogSource = {};
  if (root.kind !== 'map') return ls;
  const section = root.entries.find((e) => e.key === 'logsource')?.value;
  if (section?.kind !== 'map') return ls;
  for (const e of section.entries) {
    if ((e.key === 'category' || e.key === 'product' || e.key === 'service') && e.value.kind === 'scalar' && e.value.value !== null) ls[e.key] = String(e.value.value);
  }
  return ls;
}

function fieldText(field: string, uses: FieldUse[] | undefined, ls: LogSource): string {
  if (!uses) return `**${field}**: no shipped pipeline names this field for ${describeLogsource(ls)}; check its spelling against the log source's taxonomy.`;
  const lines = uses.map((u) => (u.mappedTo.length ? `- ${u.pipeline}: mapped to \`${u.mappedTo.join('`, `')}\`` : `- ${u.pipeline}: tested to identify the log source`));
  return [`**${field}**, a field of ${describeLogsource(ls)}`, '', ...[...new Set(lines)]].join('\n');
}

/** `field|mod|mod` under the cursor: the field's text or the modifier's. */
function keyPartHover(entry: YEntry, p: Position, ls: LogSource, tax: Taxonomy): HoverText | undefined {
  if (entry.keyPos.line !== p.line) return undefined;
  const keyText = entry.key;
  // Quoted keys start one column later than the text of `key`.
  const offset = entry.keyEnd.col - entry.keyPos.col - keyText.length > 0 ? 1 : 0;
  let col = entry.keyPos.col + offset;
  const parts = keyText.split('|');
  for (const [i, part] of parts.entries()) {
    const span: Span = { start: { line: p.line, col }, end: { line: p.line, col: col + part.length } };
    if (p.col >= col && p.col <= col + part.length) {
      if (i === 0) return part ? { markdown: fieldText(part, fieldsOf(tax, ls).get(part), ls), span } : undefined;
      const doc = MODIFIER_DOCS[part];
      return { markdown: doc ? `**|${part}** (modifier): ${doc}` : `**|${part}**: not a Sigma modifier`, span };
    }
    col += part.length + 1;
  }
  return undefined;
}

function tagHover(tag: string, span: Span): HoverText | undefined {
  const [r] = resolveTags([tag], bundledAttack());
  if (!r || r.kind === 'other' && !r.id) return undefined;
  const head = r.name ? `**${r.id ? `${r.id} ` : ''}${r.name}** (ATT&CK ${r.kind})` : `**${r.id ?? tag}** (${r.kind})`;
  const lines = [head];
  if (r.tactics?.length) lines.push('', `Tactics: ${r.tactics.join(', ')}`);
  if (r.note) lines.push('', r.note);
  if (r.url) lines.push('', r.url);
  return { markdown: lines.join('\n'), span };
}

function logsourceValueHover(ls: LogSource, tax: Taxonomy, span: Span): HoverText {
  const fields = [...fieldsOf(tax, ls).keys()];
  const text = fields.length
    ? `Fields the shipped pipelines know for ${describeLogsource(ls)} (${fields.length}): ${fields.map((f) => `\`${f}\``).join(', ')}`
    : `No shipped pipeline names fields for ${describeLogsource(ls)}.`;
  return { markdown: text, span };
}

/** The hover at 1-based `p` in `text`, or undefined where there is nothing to say. */
export function hoverAt(text: string, p: Position, tax: Taxonomy): HoverText | undefined {
  const doc = loadYamlDocuments(text).filter((d) => d.root && !before(p, d.root.pos)).at(-1);
  if (!doc?.root) return undefined;
  const steps = locate(doc.root, p);
  const first = steps[0];
  if (!first || !('entry' in first)) return undefined;
  const top = first.entry.key;
  const last = steps.at(-1)!;
  const spanOfKey = (e: YEntry): Span => ({ start: e.keyPos, end: e.keyEnd });
  if (steps.length === 1 && first.on === 'key') {
    const doc = ATTRIBUTE_DOCS[top];
    return doc ? { markdown: `**${top}**: ${doc}`, span: spanOfKey(first.entry) } : undefined;
  }
  const ls = logsourceOf(doc.root);
  if (top === 'logsource' && 'entry' in last) {
    if (last.on === 'key') {
      const d = LOGSOURCE_DOCS[last.entry.key];
      return d ? { markdown: `**${last.entry.key}**: ${d}`, span: spanOfKey(last.entry) } : undefined;
    }
    if (last.entry.key in LOGSOURCE_DOCS && last.entry.key !== 'definition') return logsourceValueHover(ls, tax, { start: last.entry.value.pos, end: last.entry.value.end });
  }
  if (top === 'tags' && 'item' in last && last.item.kind === 'scalar' && typeof last.item.value === 'string') return tagHover(last.item.value, { start: last.item.pos, end: last.item.end });
  // Field keys: at any depth under a search identifier of `detection` (or a filter's `filter`).
  if ((top === 'detection' || top === 'filter') && steps.length >= 3 && 'entry' in last && last.on === 'key') return keyPartHover(last.entry, p, ls, tax);
  return undefined;
}
