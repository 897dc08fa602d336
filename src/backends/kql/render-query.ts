// Assembles a KQL query for one rule: the table the pipelines chose, the log-source guard, the
// stages that extract EventData fields, and the detection.
import { and, fieldTests } from '../../ir/lower.js';
import type { Expr } from '../../ir/types.js';
import { ConversionError, processedInput, type ConvertInput, type ProcessedInput } from '../common/types.js';
import { FieldScope, XML_BAG } from './fields.js';
import { kqlIdent } from './literals.js';
import { renderExpr } from './render-expr.js';

/** Pipeline state keys the KQL backend reads. */
export const STATE_TABLE = 'query_table';
/** A column holding Windows event XML, read for fields that are not columns (SecurityEvent). */
export const STATE_FALLBACK = 'eventdata_fallback';

/** The refusal of a rule the pipelines chose no table for (Backend.refusal); null when they chose one. */
export function noTable({ rule, state, pipelines }: Pick<ProcessedInput, 'rule' | 'state' | 'pipelines'>): ConversionError | null {
  const table = state[STATE_TABLE];
  if (typeof table === 'string' && table) return null;
  const ls = Object.entries(rule.logsource)
    .filter(([k, v]) => v !== undefined && k !== 'definition')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  return new ConversionError('no-table', `no table for log source ${ls || '(none)'} in pipeline${pipelines.length === 1 ? '' : 's'} ${pipelines.join(', ') || '(none)'}`);
}

/** The table the pipelines chose for a rule and the column its EventData fields fall back to; no table is an error. */
export function ruleTable(input: Pick<ProcessedInput, 'rule' | 'state' | 'pipelines'>): { table: string; fallback: string | null } {
  const refused = noTable(input);
  if (refused) throw refused;
  const { state } = input;
  return { table: state[STATE_TABLE] as string, fallback: typeof state[STATE_FALLBACK] === 'string' ? (state[STATE_FALLBACK] as string) : null };
}

export function renderKqlQuery(input: ConvertInput): string {
  const { ir } = input;
  const { table, fallback } = ruleTable(processedInput(input));
  const scope = new FieldScope(table, fallback);
  // Conjuncts that read only columns filter before the (costly) EventData extraction.
  const early: Expr[] = [];
  const late: Expr[] = [];
  const conjuncts = (e: Expr): Expr[] => (e.kind === 'and' ? e.args : [e]);
  for (const c of [...(ir.guard ? conjuncts(ir.guard) : []), ...conjuncts(ir.detection)]) (needsDerived(c, scope) ? late : early).push(c);
  const lines = [kqlIdent(table)];
  const first = early.length ? renderExpr(and(early), scope) : 'true';
  if (first !== 'true') lines.push(`| where ${first}`);
  if (late.length) {
    const rest = renderExpr(and(late), scope);
    lines.push(...extraction(scope));
    if (rest !== 'true') lines.push(`| where ${rest}`);
  }
  if (scope.xmlColumn) lines.push(`| project-away _Data, ${XML_BAG}`);
  return lines.join('\n');
}

/** Stages that make the derived columns: XML <Data> elements into a bag first, then one extend. */
export function extraction(scope: FieldScope): string[] {
  const out: string[] = [];
  if (scope.xmlColumn) {
    // parse_xml gives one object for a single <Data> element and an array for several.
    out.push(`| extend _Data = parse_xml(${kqlIdent(scope.xmlColumn)}).DataItem.EventData.Data`);
    out.push(
      `| mv-apply _Item = iff(gettype(_Data) == "array", _Data, pack_array(_Data)) on (summarize ${XML_BAG} = make_bag(bag_pack(tostring(_Item["@Name"]), tostring(_Item["#text"]))))`,
    );
  }
  if (scope.derived.size) out.push('| extend ' + [...scope.derived].map(([name, source]) => `${kqlIdent(name)} = ${source}`).join(', '));
  return out;
}

/** Whether an expression reads a derived column (or searches every column, derived ones included). */
function needsDerived(e: Expr, scope: FieldScope): boolean {
  return fieldTests(e).some((t) => t.field === null || scope.isDerived(t.field) || (t.value.type === 'fieldref' && scope.isDerived(t.value.field)));
}
