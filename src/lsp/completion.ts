// Completion candidates for the cursor in a rule being typed: attributes at the top level, log
// source keys and values, status and level values, ATT&CK tags, field names of the rule's log source
// under a search identifier, modifiers after `|`, and search identifiers in the condition.
import { ATTRIBUTE_DOCS, LOGSOURCE_DOCS, MODIFIER_DOCS } from '../sigma/keyword-docs.js';
import { CORRELATION_ATTRIBUTES, FILTER_ATTRIBUTES, RULE_ATTRIBUTES } from '../sigma/parse-document.js';
import { LEVELS, STATUSES } from '../sigma/model.js';
import { describeLogsource } from '../sigma/logsource.js';
import { bundledAttack } from '../catalog/attack.js';
import { fieldsOf, logsourceValues, type Taxonomy } from './taxonomy.js';
import { blockEntries, documentLines, lineContext, logsourceAt } from './text-context.js';

export type CandidateKind = 'attribute' | 'key' | 'value' | 'field' | 'modifier' | 'identifier' | 'keyword' | 'tag';

export interface Candidate {
  label: string;
  kind: CandidateKind;
  detail?: string;
  /** What to insert; the label when absent. */
  insert?: string;
}

export interface Completion {
  /** How many characters before the cursor the candidates replace. */
  replace: number;
  candidates: Candidate[];
}

const CONDITION_WORDS = ['and', 'or', 'not', '1 of', 'all of', 'them'];

/** Attributes not yet written in the document, for the kind of document it is. */
function attributeCandidates(lines: readonly string[], line: number): Candidate[] {
  const [first, last] = documentLines(lines, line);
  const written = new Set<string>();
  for (let i = first; i <= last; i++) {
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(lines[i]!);
    if (m && i !== line) written.add(m[1]!);
  }
  const set = written.has('correlation') ? CORRELATION_ATTRIBUTES : written.has('filter') ? FILTER_ATTRIBUTES : RULE_ATTRIBUTES;
  return [...set].filter((a) => !written.has(a)).map((a) => ({ label: a, kind: 'attribute', detail: ATTRIBUTE_DOCS[a], insert: `${a}: ` }));
}

function tagCandidates(): Candidate[] {
  const attack = bundledAttack();
  return [
    ...attack.tactics.map((t): Candidate => ({ label: `attack.${t.shortname}`, kind: 'tag', detail: `${t.id} ${t.name} (tactic)` })),
    ...Object.values(attack.techniques).map((t): Candidate => ({ label: `attack.${t.id.toLowerCase()}`, kind: 'tag', detail: `${t.id} ${t.name ?? '(name not in the bundled data)'}` })),
  ];
}

/** The candidates at 0-based `line`/`character` of `text`. */
export function completeAt(text: string, line: number, character: number, tax: Taxonomy): Completion {
  const lines = text.split(/\r?\n/);
  const ctx = lineContext(lines, line, character);
  const none: Completion = { replace: 0, candidates: [] };
  const [top, identifier] = ctx.path;
  if (ctx.mode === 'key' && ctx.path.length === 0) return { replace: ctx.prefix.length, candidates: attributeCandidates(lines, line) };
  if (top === 'logsource' && ctx.path.length === 1) {
    if (ctx.mode === 'key') return { replace: ctx.prefix.length, candidates: Object.entries(LOGSOURCE_DOCS).map(([k, d]) => ({ label: k, kind: 'key', detail: d, insert: `${k}: ` })) };
    if (ctx.mode === 'value' && (ctx.key === 'category' || ctx.key === 'product' || ctx.key === 'service')) {
      const written = logsourceAt(lines, line);
      delete written[ctx.key];
      return { replace: ctx.prefix.length, candidates: logsourceValues(tax, ctx.key, written).map((v) => ({ label: v, kind: 'value' })) };
    }
    return none;
  }
  if (ctx.path.length === 0 && ctx.mode === 'value') {
    const values = ctx.key === 'status' ? STATUSES : ctx.key === 'level' ? LEVELS : undefined;
    return values ? { replace: ctx.prefix.length, candidates: values.map((v) => ({ label: v, kind: 'value' })) } : none;
  }
  if (top === 'tags' && ctx.mode === 'item') return { replace: ctx.prefix.length, candidates: tagCandidates() };
  if ((top === 'detection' || top === 'filter') && ctx.path.length === 1 && ctx.mode === 'value' && ctx.key === 'condition') {
    // The word being written: identifiers and keywords are separated by spaces and parentheses.
    const word = /[\w*-]*$/.exec(ctx.prefix)![0];
    const ids = blockEntries(lines, line, top).map((e) => e.key).filter((k) => k !== 'condition' && k !== 'timeframe' && k !== 'rules');
    return { replace: word.length, candidates: [...ids.map((k): Candidate => ({ label: k, kind: 'identifier', detail: 'search identifier' })), ...CONDITION_WORDS.map((w): Candidate => ({ label: w, kind: 'keyword' }))] };
  }
  if ((top === 'detection' || top === 'filter') && identifier && identifier !== 'condition' && ctx.mode === 'key') {
    const bar = ctx.prefix.lastIndexOf('|');
    if (bar >= 0) {
      const written = ctx.prefix.slice(bar + 1);
      return { replace: written.length, candidates: Object.entries(MODIFIER_DOCS).map(([m, d]) => ({ label: m, kind: 'modifier', detail: d })) };
    }
    const ls = logsourceAt(lines, line);
    const where = describeLogsource(ls);
    const candidates = [...fieldsOf(tax, ls)].map(([f, uses]): Candidate => ({
      label: f,
      kind: 'field',
      detail: `${where}: ${[...new Set(uses.map((u) => (u.mappedTo.length ? `${u.pipeline} → ${u.mappedTo.join(', ')}` : u.pipeline)))].join('; ')}`,
    }));
    return { replace: ctx.prefix.length, candidates };
  }
  return none;
}
