// The condition tree of `quarry explain` (and of each `quarry test` failure) as indented text.
// One line per node: its state in brackets, then what it is. Long OR lists (hash lists, hundreds of
// command-line fragments) show the tests that hold and a count of the rest, so a tree stays readable.
import type { ExplainedEvent, ExplainedRule, ExplainNode } from '../hunt/explained.js';
import { stringifyExact } from '../json/stringify-exact.js';

/** An OR with more tests than this shows only those that hold, then counts the others. */
const LIST_LIMIT = 8;
const VALUE_LIMIT = 120;

function mark(n: ExplainNode): string {
  if (n.kind === 'test') return n.state === 'missing-field' ? '[missing]' : n.result ? '[true]   ' : '[false]  ';
  return n.result ? '[true]   ' : '[false]  ';
}

function shortValue(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : stringifyExact(v);
  return s.length > VALUE_LIMIT ? `${s.slice(0, VALUE_LIMIT - 1)}…` : s;
}

function testLabel(n: Extract<ExplainNode, { kind: 'test' }>): string {
  const target = n.field === null ? '(keyword)' : [n.field, ...n.modifiers].join('|');
  const seen = n.field === null ? '' : n.state === 'missing-field' ? '   (event has no such field)' : 'eventValue' in n ? `   (event: ${shortValue(n.eventValue)})` : '';
  return `${target} ${n.value}${seen}`;
}

function render(n: ExplainNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  switch (n.kind) {
    case 'test':
      out.push(`${pad}${mark(n)} ${testLabel(n)}`);
      return;
    case 'const':
      out.push(`${pad}${mark(n)} ${n.result ? 'always' : 'never'}`);
      return;
    case 'not':
      out.push(`${pad}${mark(n)} not`);
      render(n.child, depth + 1, out);
      return;
    case 'selection':
      out.push(`${pad}${mark(n)} ${n.name}`);
      // A selection's own and/or is shown as one line under its name.
      if (n.child.kind === 'and' || n.child.kind === 'or') children(n.child, depth + 1, out);
      else render(n.child, depth + 1, out);
      return;
    case 'of':
      out.push(`${pad}${mark(n)} ${n.quantifier === 'all' ? 'all' : '1'} of ${n.pattern}`);
      for (const c of n.children) render(c, depth + 1, out);
      return;
    case 'and':
    case 'or':
      children(n, depth, out);
  }
}

function children(n: Extract<ExplainNode, { kind: 'and' | 'or' }>, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  out.push(`${pad}${mark(n)} ${n.kind === 'and' ? 'all of' : 'any of'}`);
  // A long OR shows what holds; when nothing does, its first few, so the reader sees what it wants.
  const held = n.children.filter((c) => c.result);
  const shown = n.kind === 'or' && n.children.length > LIST_LIMIT ? (held.length ? held : n.children).slice(0, held.length ? LIST_LIMIT : 3) : n.children;
  for (const c of shown) render(c, depth + 1, out);
  const hidden = n.children.length - shown.length;
  if (hidden > 0) {
    const rest = n.children.filter((c) => !shown.includes(c));
    const missing = rest.filter((c) => c.kind === 'test' && c.state === 'missing-field').length;
    const holding = rest.filter((c) => c.result).length;
    const parts = [`${hidden - missing - holding} false`, ...(missing ? [`${missing} missing-field`] : []), ...(holding ? [`${holding} true`] : [])];
    out.push(`${'  '.repeat(depth + 1)}… ${hidden} more (${parts.join(', ')})`);
  }
}

/** One rule on one event: verdict, log-source guard, pipeline conditions, condition tree, missing fields. */
export function explainedRuleText(r: ExplainedRule, routing: string, indent = ''): string[] {
  const out: string[] = [];
  const e = r.explanation;
  out.push(`rule ${JSON.stringify(r.rule.title)}${r.rule.id ? ` (${r.rule.id})` : ''}: ${r.detected ? 'MATCHED' : 'not matched'}`);
  if (!r.detected && e.matched) out.push(`  the detection holds, but the event is not of the rule's log source (${routing === 'windows' ? 'its Channel/EventID fail the log-source conditions below' : 'another log source was declared'})`);
  if (e.guard) {
    out.push(`  log source (checked on Windows events${routing === 'windows' ? '' : `; this event was routed '${routing}', so not applied`}):`);
    render(e.guard, 2, out);
  }
  if (e.pipeline) {
    out.push('  added by the pipelines:');
    render(e.pipeline, 2, out);
  }
  out.push('  condition:');
  render(e.condition, 2, out);
  out.push(`  fields the event does not carry: ${e.missingFields.length ? e.missingFields.join(', ') : 'none'}`);
  return out.map((l) => indent + l);
}

export function explainedEventText(ev: ExplainedEvent, indent = ''): string[] {
  const where = [ev.location.file, ev.location.record !== undefined ? `record ${ev.location.record}` : '', ev.location.line !== undefined ? `line ${ev.location.line}` : ''].filter(Boolean).join(' ');
  const out = [`${indent}event ${where} (routed: ${ev.routing})`];
  for (const r of ev.rules) out.push(...explainedRuleText(r, ev.routing, indent + '  '));
  return out;
}
