// Parses a pipeline in pySigma's YAML format (browser-safe; load-file.ts reads one from disk). Every problem is a located diagnostic with a
// stable code; a pipeline with errors is not returned, so it can never half-apply.
import { DiagnosticSink, hasErrors, type Position, type Span } from '../sigma/diagnostics.js';
import { get, keySpan, loadYamlDocuments, spanOf, toPlain, type YMap, type YNode } from '../sigma/yaml-tree.js';
import { checkCondition, CONDITIONS, type ConditionKind } from './conditions.js';
import { nearest } from '../sigma/nearest.js';
import { CondExprError, exprIds, parseCondExpr } from '../sigma/name-expression.js';
import { checkParams, type ParamProblem } from './params.js';
import { TRANSFORMATIONS } from './transformations/index.js';
import type { PipelineLoadResult, ProcessingCondition, ProcessingItem, ProcessingPipeline } from './types.js';

const TOP_KEYS = new Set(['name', 'priority', 'vars', 'transformations', 'allowed_backends', 'postprocessing', 'finalizers']);

/** Keys of a transformation entry that are not transformation parameters. */
const CONDITION_KEYS = ['rule', 'detection_item', 'field_name'].flatMap((k) => [`${k}_conditions`, `${k}_cond_expr`, `${k}_cond_op`, `${k}_cond_linking`, `${k}_cond_not`]);
const ITEM_KEYS = new Set(['id', 'type', ...CONDITION_KEYS]);

export function parsePipelineYaml(text: string, file: string): PipelineLoadResult {
  const sink = new DiagnosticSink(file);
  const docs = loadYamlDocuments(text);
  for (const d of docs) for (const p of d.problems) sink.report(p.code, p.message, p.span);
  if (hasErrors(sink.items)) return { pipeline: null, diagnostics: sink.items };
  if (docs.length > 1) sink.report('pipeline-multiple-documents', 'a pipeline file holds one YAML document', docs[1]!.pos);
  const root = docs[0]?.root;
  if (!root || root.kind !== 'map') {
    sink.report('pipeline-not-a-map', 'a pipeline must be a YAML map (name, priority, vars, transformations)', root ? spanOf(root) : docs[0]?.pos);
    return { pipeline: null, diagnostics: sink.items };
  }
  // A Sigma rule passed by mistake to --pipeline would otherwise load as an empty pipeline with
  // warnings nobody reads, and the hunt would run without the rule.
  if (!get(root, 'transformations') && (get(root, 'detection') || get(root, 'correlation'))) {
    sink.report('pipeline-is-a-rule', "this is a Sigma rule, not a processing pipeline (it has no 'transformations'): give rules with --rules", root.pos);
    return { pipeline: null, diagnostics: sink.items };
  }
  const pipeline = readPipeline(root, file, sink);
  return { pipeline: hasErrors(sink.items) ? null : pipeline, diagnostics: sink.items };
}

function readPipeline(root: YMap, file: string, sink: DiagnosticSink): ProcessingPipeline {
  for (const e of root.entries) {
    if (!TOP_KEYS.has(e.key)) sink.report('unknown-pipeline-key', `'${e.key}' is not a pipeline attribute (name, priority, vars, transformations); it is ignored`, keySpan(e));
    else if (e.key === 'postprocessing' || e.key === 'finalizers') sink.report('unsupported-pipeline-key', `'${e.key}' works on a backend's query text; Quarry's backends render an IR, so it is ignored`, keySpan(e));
  }
  const nameEntry = get(root, 'name');
  let name = file;
  if (nameEntry) {
    if (nameEntry.value.kind === 'scalar' && nameEntry.value.value !== null) name = String(nameEntry.value.value);
    else sink.report('invalid-type', "'name' must be a string", spanOf(nameEntry.value));
  }
  let priority = 0;
  const prio = get(root, 'priority');
  if (prio) {
    if (prio.value.kind === 'scalar' && typeof prio.value.value === 'number' && Number.isInteger(prio.value.value)) priority = prio.value.value;
    else sink.report('invalid-type', "'priority' must be an integer", spanOf(prio.value));
  }
  const vars = readVars(root, sink);
  const items: ProcessingItem[] = [];
  const list = get(root, 'transformations');
  if (!list || (list.value.kind === 'scalar' && list.value.value === null)) {
    sink.report('no-transformations', 'the pipeline has no transformations', list ? keySpan(list) : root.pos);
  } else if (list.value.kind !== 'seq') {
    sink.report('invalid-type', "'transformations' must be a list", spanOf(list.value));
  } else {
    const ids = new Map<string, Position>();
    for (const node of list.value.items) {
      const item = readItem(node, sink);
      if (!item) continue;
      if (item.id !== undefined) {
        const prev = ids.get(item.id);
        if (prev) sink.report('duplicate-item-id', `processing item id '${item.id}' is also used at line ${prev.line}`, spanOf(node));
        else ids.set(item.id, item.pos!);
      }
      items.push(item);
    }
  }
  return { name, priority, vars, items, origin: file };
}

function readVars(root: YMap, sink: DiagnosticSink): Record<string, string[]> {
  const vars: Record<string, string[]> = {};
  const e = get(root, 'vars');
  if (!e || (e.value.kind === 'scalar' && e.value.value === null)) return vars;
  if (e.value.kind !== 'map') {
    sink.report('invalid-type', "'vars' must be a map of names to values", spanOf(e.value));
    return vars;
  }
  for (const v of e.value.entries) {
    const nodes = v.value.kind === 'seq' ? v.value.items : [v.value];
    if (nodes.some((n) => n.kind !== 'scalar' || n.value === null)) {
      sink.report('invalid-vars', `vars '${v.key}' must be a string, a number or a list of them`, spanOf(v.value));
      continue;
    }
    vars[v.key] = nodes.map((n) => String((n as { value: unknown }).value));
  }
  return vars;
}

function readItem(node: YNode, sink: DiagnosticSink): ProcessingItem | null {
  if (node.kind !== 'map') {
    sink.report('invalid-transformation', 'each transformation must be a map with a type', spanOf(node));
    return null;
  }
  const typeEntry = get(node, 'type');
  if (!typeEntry || typeEntry.value.kind !== 'scalar' || typeof typeEntry.value.value !== 'string') {
    sink.report('missing-transformation-type', "the transformation has no 'type'", typeEntry ? spanOf(typeEntry.value) : node.pos);
    return null;
  }
  const type = typeEntry.value.value;
  const spec = TRANSFORMATIONS[type];
  if (!spec) {
    sink.report('unknown-transformation-type', `unknown transformation type '${type}'${suggest(type, Object.keys(TRANSFORMATIONS))}`, spanOf(typeEntry.value));
    return null;
  }
  const idEntry = get(node, 'id');
  let id: string | undefined;
  if (idEntry) {
    if (idEntry.value.kind === 'scalar' && idEntry.value.value !== null) id = String(idEntry.value.value);
    else sink.report('invalid-type', "'id' must be a string", spanOf(idEntry.value));
  }
  const params: Record<string, unknown> = {};
  for (const e of node.entries) if (!ITEM_KEYS.has(e.key)) params[e.key] = toPlain(e.value);
  const problems: ParamProblem[] = checkParams(params, spec.params, `transformation '${type}'`);
  if (problems.length === 0) problems.push(...(spec.check?.(params) ?? []));
  report(problems, node, sink);
  const rule = readConditions(node, 'rule', sink);
  const det = readConditions(node, 'detection_item', sink);
  const field = readConditions(node, 'field_name', sink);
  return {
    id,
    type,
    params,
    ruleConditions: rule.conditions,
    ruleCondExpression: rule.expression,
    ruleCondLinking: rule.linking,
    ruleCondNot: rule.not,
    detectionItemConditions: det.conditions,
    detectionItemCondExpression: det.expression,
    detectionItemCondLinking: det.linking,
    detectionItemCondNot: det.not,
    fieldNameConditions: field.conditions,
    fieldNameCondExpression: field.expression,
    fieldNameCondLinking: field.linking,
    fieldNameCondNot: field.not,
    pos: node.pos,
  };
}

function report(problems: ParamProblem[], node: YMap, sink: DiagnosticSink): void {
  for (const p of problems) {
    const e = p.param ? get(node, p.param) : undefined;
    sink.report(p.code, p.message, e ? (p.code === 'unknown-parameter' ? keySpan(e) : spanOf(e.value)) : node.pos);
  }
}

interface ReadConditions {
  conditions: ProcessingCondition[];
  expression?: string;
  linking: 'and' | 'or';
  not: boolean;
}

const KIND: Record<string, ConditionKind> = { rule: 'rule', detection_item: 'detection item', field_name: 'field name' };

function readConditions(node: YMap, prefix: 'rule' | 'detection_item' | 'field_name', sink: DiagnosticSink): ReadConditions {
  const kind = KIND[prefix]!;
  const out: ReadConditions = { conditions: [], linking: 'and', not: false };
  const conditionSpans = new Map<ProcessingCondition, Span>();
  const list = get(node, `${prefix}_conditions`);
  if (list && !(list.value.kind === 'scalar' && list.value.value === null)) {
    const entries: Array<{ id?: string; node: YNode }> =
      list.value.kind === 'seq' ? list.value.items.map((n) => ({ node: n })) : list.value.kind === 'map' ? list.value.entries.map((e) => ({ id: e.key, node: e.value })) : [];
    if (list.value.kind === 'scalar') sink.report('invalid-type', `'${prefix}_conditions' must be a list (or a map of ids to conditions)`, spanOf(list.value));
    for (const { id, node: c } of entries) {
      const cond = readCondition(c, kind, id, sink);
      if (cond) {
        out.conditions.push(cond);
        conditionSpans.set(cond, spanOf(c));
      }
    }
  }
  const linkKey = get(node, `${prefix}_cond_op`) ?? get(node, `${prefix}_cond_linking`);
  if (linkKey) {
    const v = linkKey.value.kind === 'scalar' ? linkKey.value.value : null;
    if (v === 'and' || v === 'or') out.linking = v;
    else sink.report('invalid-parameter', `'${linkKey.key}' must be 'and' or 'or'`, spanOf(linkKey.value));
  }
  const notKey = get(node, `${prefix}_cond_not`);
  if (notKey) {
    if (notKey.value.kind === 'scalar' && typeof notKey.value.value === 'boolean') out.not = notKey.value.value;
    else sink.report('invalid-parameter', `'${prefix}_cond_not' must be true or false`, spanOf(notKey.value));
  }
  const exprKey = get(node, `${prefix}_cond_expr`);
  if (exprKey) {
    const v = exprKey.value;
    if (v.kind !== 'scalar' || typeof v.value !== 'string') sink.report('invalid-condition-expression', `'${prefix}_cond_expr' must be a string`, spanOf(v));
    else {
      const shift = v.quoted ? 1 : 0;
      // Offsets in the expression to file positions (exact for one-line scalars, as for rule conditions).
      const inExpr = (offset: number, length: number) => ({ start: { line: v.pos.line, col: v.pos.col + shift + offset }, end: { line: v.pos.line, col: v.pos.col + shift + offset + length } });
      if (linkKey) sink.report('invalid-condition-expression', `'${prefix}_cond_expr' and '${linkKey.key}' exclude each other`, keySpan(linkKey));
      if (list?.value.kind !== 'map') sink.report('invalid-condition-expression', `with '${prefix}_cond_expr', '${prefix}_conditions' must be a map of ids to conditions`, list ? keySpan(list) : keySpan(exprKey));
      try {
        const expr = parseCondExpr(v.value);
        out.expression = v.value;
        const ids = new Set(out.conditions.map((c) => c.id));
        const used = new Set<string>();
        for (const ref of exprIds(expr)) {
          used.add(ref.name);
          if (!ids.has(ref.name)) sink.report('unknown-condition-id', `'${ref.name}' is not one of the ${kind} conditions`, inExpr(ref.offset, ref.name.length));
        }
        for (const c of out.conditions) if (c.id !== undefined && !used.has(c.id)) sink.report('unreferenced-condition', `${kind} condition '${c.id}' is not used by '${prefix}_cond_expr'`, conditionSpans.get(c) ?? c.pos);
      } catch (e) {
        if (!(e instanceof CondExprError)) throw e;
        sink.report('invalid-condition-expression', e.message, inExpr(e.offset, e.length));
      }
    }
  }
  return out;
}

function readCondition(node: YNode, kind: ConditionKind, id: string | undefined, sink: DiagnosticSink): ProcessingCondition | null {
  if (node.kind !== 'map') {
    sink.report('invalid-condition', `a ${kind} condition must be a map with a type`, spanOf(node));
    return null;
  }
  const t = get(node, 'type');
  if (!t || t.value.kind !== 'scalar' || typeof t.value.value !== 'string') {
    sink.report('missing-condition-type', `the ${kind} condition has no 'type'`, t ? spanOf(t.value) : node.pos);
    return null;
  }
  const type = t.value.value;
  if (!CONDITIONS[kind][type]) {
    sink.report('unknown-condition-type', `unknown ${kind} condition type '${type}'${suggest(type, Object.keys(CONDITIONS[kind]))}`, spanOf(t.value));
    return null;
  }
  const params: Record<string, unknown> = {};
  for (const e of node.entries) if (e.key !== 'type') params[e.key] = toPlain(e.value);
  const cond: ProcessingCondition = { type, params, pos: node.pos, ...(id !== undefined ? { id } : {}) };
  report(checkCondition(kind, cond), node, sink);
  return cond;
}

function suggest(word: string, known: string[]): string {
  const close = nearest(word, known, 3);
  return close ? ` (did you mean '${close}'?)` : '';
}
