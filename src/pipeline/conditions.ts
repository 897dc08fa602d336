// Processing conditions of pySigma pipelines, declared as data: their parameters and their tests.
// Three kinds: on the rule, on one detection item, on one field name.
import { logsourceFits } from '../sigma/logsource.js';
import type { DetectionItem, SigmaRule } from '../sigma/model.js';
import { levelRank, STATUSES } from '../sigma/model.js';
import { sigmaStringToText, parseSigmaString, type SigmaValue } from '../sigma/values.js';
import { checkParams, compilePattern, patternProblem, asStringList, type ParamProblem, type ParamSpecs } from './params.js';
import { allGroups, forEachItem, type RunState } from './run.js';
import { evalCondExpr, parseCondExpr } from '../sigma/name-expression.js';
import type { ProcessingCondition } from './types.js';

type P = Record<string, unknown>;

interface ConditionSpec<T> {
  params: ParamSpecs;
  check?(p: P): ParamProblem[];
  match(subject: T, p: P, run: RunState): boolean;
}

const STATE_PARAMS: ParamSpecs = {
  key: { shape: 'string', required: true },
  val: { shape: 'scalar', required: true },
  op: { shape: 'string', oneOf: ['eq', 'ne', 'gte', 'gt', 'lte', 'lt'] },
};
function matchState(p: P, run: RunState): boolean {
  if (!(String(p.key) in run.state)) return false;
  return compare(run.state[String(p.key)], p.val, String(p.op ?? 'eq'));
}
function compare(a: unknown, b: unknown, op: string): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gte':
      return (a as number) >= (b as number);
    case 'gt':
      return (a as number) > (b as number);
    case 'lte':
      return (a as number) <= (b as number);
    case 'lt':
      return (a as number) < (b as number);
    default:
      return false;
  }
}

/** A condition parameter value as a Sigma value, for comparisons with detection item values. */
function sigmaValueOf(v: unknown): SigmaValue {
  if (v === null || v === undefined) return { type: 'null' };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return { type: 'number', value: v, text: String(v) };
  return parseSigmaString(String(v));
}
function sameValue(a: SigmaValue, b: SigmaValue): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'string' && b.type === 'string') return sigmaStringToText(a) === sigmaStringToText(b);
  if (a.type === 'number' && b.type === 'number') return a.value === b.value;
  if (a.type === 'bool' && b.type === 'bool') return a.value === b.value;
  return a.type === 'null';
}

function someItem(run: RunState, test: (d: DetectionItem) => boolean): boolean {
  let found = false;
  for (const g of allGroups(run)) forEachItem(g, (d) => (found ||= test(d)));
  return found;
}

function ruleAttribute(rule: SigmaRule, p: P): boolean {
  const name = String(p.attribute);
  const op = String(p.op ?? 'eq');
  const direct = (rule as unknown as Record<string, unknown>)[name];
  const value = direct !== undefined && typeof direct !== 'function' ? direct : rule.custom[name];
  if (value === undefined || value === null) return false;
  const want = p.value;
  if (Array.isArray(value)) {
    if (op === 'in') return value.map(String).includes(String(want));
    if (op === 'not_in') return !value.map(String).includes(String(want));
    return op === 'ne';
  }
  if (name === 'level' || name === 'status') {
    const rank = (s: unknown) => (name === 'level' ? levelRank(String(s)) : STATUSES.indexOf(String(s) as (typeof STATUSES)[number]));
    return compare(rank(value), rank(want), op);
  }
  if (typeof value === 'number') return compare(value, Number(want), op);
  // Strings, dates (ISO text orders like dates) and ids.
  if (op === 'eq' || op === 'ne') return compare(String(value), String(want), op);
  if (name === 'date' || name === 'modified') return compare(String(value), String(want), op);
  return false;
}

export const RULE_CONDITIONS: Record<string, ConditionSpec<SigmaRule>> = {
  logsource: {
    params: { category: { shape: 'string' }, product: { shape: 'string' }, service: { shape: 'string' } },
    match: (rule, p) => logsourceFits(p as Parameters<typeof logsourceFits>[0], rule.logsource),
  },
  contains_detection_item: {
    params: { field: { shape: 'string', required: true }, value: { shape: 'scalar', required: true } },
    match: (_rule, p, run) => {
      const want = sigmaValueOf(p.value);
      return someItem(run, (d) => d.field === p.field && d.values.some((v) => sameValue(v, want)));
    },
  },
  contains_field: {
    params: { field: { shape: 'string', required: true } },
    match: (_rule, p, run) => someItem(run, (d) => d.field === p.field),
  },
  processing_item_applied: {
    params: { processing_item_id: { shape: 'string', required: true } },
    match: (_rule, p, run) => run.applied.includes(String(p.processing_item_id)),
  },
  processing_state: { params: STATE_PARAMS, match: (_r, p, run) => matchState(p, run) },
  is_sigma_rule: { params: {}, match: () => true },
  is_sigma_correlation_rule: { params: {}, match: () => false },
  rule_attribute: {
    params: {
      attribute: { shape: 'string', required: true },
      value: { shape: 'scalar', required: true },
      op: { shape: 'string', oneOf: ['eq', 'ne', 'gte', 'gt', 'lte', 'lt', 'in', 'not_in'] },
    },
    match: (rule, p) => ruleAttribute(rule, p),
  },
  tag: {
    params: { tag: { shape: 'string', required: true } },
    match: (rule, p) => rule.tags.some((t) => t.toLowerCase() === String(p.tag).toLowerCase()),
  },
};

const COND_PARAM = { shape: 'string', oneOf: ['any', 'all'] } as const;
/** `cond: any|all` over the values of an item (pySigma's value conditions). */
function overValues(d: DetectionItem, p: P, test: (v: SigmaValue) => boolean): boolean {
  return p.cond === 'all' ? d.values.every(test) : d.values.some(test);
}

export const DETECTION_ITEM_CONDITIONS: Record<string, ConditionSpec<DetectionItem>> = {
  match_string: {
    params: { pattern: { shape: 'string', required: true }, cond: COND_PARAM, negate: { shape: 'bool' } },
    check: (p) => patternProblem('pattern', p.pattern),
    match: (d, p) => {
      // re.match semantics: anchored at the start of the value's Sigma text.
      const re = compilePattern(String(p.pattern), 'y');
      return overValues(d, p, (v) => {
        const r = v.type === 'string' ? ((re.lastIndex = 0), re.test(sigmaStringToText(v))) : false;
        return p.negate === true ? !r : r;
      });
    },
  },
  match_value: {
    params: { value: { shape: 'scalar', required: true }, cond: COND_PARAM },
    match: (d, p) => overValues(d, p, (v) => sameValue(v, sigmaValueOf(p.value))),
  },
  contains_wildcard: {
    params: { cond: COND_PARAM },
    match: (d, p) => overValues(d, p, (v) => v.type === 'string' && v.parts.some((x) => typeof x !== 'string')),
  },
  is_null: {
    params: { cond: COND_PARAM },
    match: (d, p) => overValues(d, p, (v) => v.type === 'null'),
  },
  processing_item_applied: {
    params: { processing_item_id: { shape: 'string', required: true } },
    match: (d, p, run) => run.itemApplied?.get(d)?.has(String(p.processing_item_id)) ?? false,
  },
  processing_state: { params: STATE_PARAMS, match: (_d, p, run) => matchState(p, run) },
};

const FIELDS_PARAMS: ParamSpecs = { fields: { shape: 'strings', required: true }, mode: { shape: 'string', oneOf: ['plain', 're'] } };
function fieldsCheck(p: P): ParamProblem[] {
  return p.mode === 're' ? asStringList(p.fields).flatMap((f) => patternProblem('fields', f)) : [];
}
function inFields(field: string | null, p: P): boolean {
  if (field === null) return false;
  const fields = asStringList(p.fields);
  if (p.mode === 're') {
    // re.match semantics: the pattern must match at the start of the name.
    return fields.some((f) => {
      const re = compilePattern(f, 'y');
      re.lastIndex = 0;
      return re.test(field);
    });
  }
  return fields.includes(field);
}

export const FIELD_NAME_CONDITIONS: Record<string, ConditionSpec<string | null>> = {
  include_fields: { params: FIELDS_PARAMS, check: fieldsCheck, match: (f, p) => inFields(f, p) },
  exclude_fields: { params: FIELDS_PARAMS, check: fieldsCheck, match: (f, p) => !inFields(f, p) },
  processing_item_applied: {
    params: { processing_item_id: { shape: 'string', required: true } },
    match: (f, p, run) => f !== null && (run.fieldApplied?.get(f)?.has(String(p.processing_item_id)) ?? false),
  },
  processing_state: { params: STATE_PARAMS, match: (_f, p, run) => matchState(p, run) },
};

export type ConditionKind = 'rule' | 'detection item' | 'field name';
export const CONDITIONS: Record<ConditionKind, Record<string, ConditionSpec<never>>> = {
  rule: RULE_CONDITIONS,
  'detection item': DETECTION_ITEM_CONDITIONS,
  'field name': FIELD_NAME_CONDITIONS,
};

/** Checks one condition's type and parameters. */
export function checkCondition(kind: ConditionKind, c: ProcessingCondition): ParamProblem[] {
  const spec = CONDITIONS[kind][c.type];
  if (!spec) return [];
  return [...checkParams(c.params, spec.params, `${kind} condition '${c.type}'`), ...(spec.check?.(c.params) ?? [])];
}

/**
 * Evaluates a list of conditions as an item links them: by `*_cond_expr` when given, otherwise
 * all/any; then `*_cond_not`. No conditions always match.
 */
export function evalConditions<T>(
  kind: ConditionKind,
  conds: ProcessingCondition[],
  expr: string | undefined,
  linking: 'and' | 'or',
  not: boolean,
  subject: T,
  run: RunState,
): boolean {
  if (conds.length === 0) return true;
  const one = (c: ProcessingCondition) => (CONDITIONS[kind][c.type] as unknown as ConditionSpec<T> | undefined)?.match(subject, c.params, run) ?? false;
  let r: boolean;
  if (expr !== undefined) {
    const byId = new Map(conds.map((c) => [c.id ?? '', c]));
    r = evalCondExpr(parsedExpr(expr), (id) => {
      const c = byId.get(id);
      return c ? one(c) : false;
    });
  } else r = linking === 'or' ? conds.some(one) : conds.every(one);
  return not ? !r : r;
}

const exprCache = new Map<string, ReturnType<typeof parseCondExpr>>();
function parsedExpr(text: string): ReturnType<typeof parseCondExpr> {
  let e = exprCache.get(text);
  if (!e) exprCache.set(text, (e = parseCondExpr(text)));
  return e;
}

/** Field name conditions on a detection item: its field, or a field reference among its values. */
export function fieldsOfItem(d: DetectionItem): Array<string | null> {
  return [d.field, ...d.values.flatMap((v) => (v.type === 'fieldref' ? [v.field] : []))];
}
