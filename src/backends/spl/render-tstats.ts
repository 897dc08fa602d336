// Renders a rule as a `| tstats` search over a CIM data model (the `splunk-cim` pipeline sets
// which). tstats reads the data model's summaries, not events: its `where` clause takes search
// terms over data model fields only, and no eval expression, regex or raw text. What those terms
// cannot say exactly is refused with the reason; a field outside the data model is refused too.
import type { Expr, FieldTest } from '../../ir/types.js';
import { and, fieldTests } from '../../ir/lower.js';
import { isWildcard } from '../../ir/values.js';
import { ConversionError, type ConvertInput } from '../common/types.js';
import { dataModelOf } from './cim.js';
import { searchField } from './literals.js';
import { searchExpr, searchTest } from './render-search.js';

/** Pipeline state: the `datamodel=` target (e.g. `Web.Proxy`) and the fields to group by. */
export const STATE_DATAMODEL = 'datamodel';
export const STATE_DATAMODEL_BY = 'datamodel_by';
/** Set by `splunk-cim` on every rule: a rule without a data model is refused rather than searched. */
export const STATE_DATAMODEL_ONLY = 'datamodel_only';

export function renderTstats({ ir, state }: ConvertInput): string {
  const target = String(state[STATE_DATAMODEL]);
  const model = dataModelOf(target);
  if (!model) throw new ConversionError('unknown-datamodel', `data model '${target}' is not one Quarry knows (${'Web'})`);
  const expr: Expr = and([...(ir.guard ? [ir.guard] : []), ir.detection]);
  const tests = fieldTests(expr);
  for (const t of tests) check(t, model.fields, target);
  const where = expr.kind === 'const' ? null : searchExpr(expr);
  if (expr.kind === 'const' && !expr.value) throw new ConversionError('tstats-unsupported', 'the detection can never match');
  if (where === null && expr.kind !== 'const') throw new ConversionError('tstats-unsupported', 'a condition that tstats cannot express');
  const by = Array.isArray(state[STATE_DATAMODEL_BY]) ? (state[STATE_DATAMODEL_BY] as unknown[]).map(String) : [];
  for (const f of by) if (!model.fields.has(f)) throw new ConversionError('unknown-field', `group-by field '${f}' is not in the ${model.root} data model`);
  // fillnull_value: tstats drops a row whose group-by field is null, and proxy logs often lack one.
  return (
    `| tstats summariesonly=false allow_old_summaries=true fillnull_value="unknown" count min(_time) as firstTime max(_time) as lastTime from datamodel=${target}` +
    (where ? ` where ${where}` : '') +
    (by.length ? ` by ${by.map(searchField).join(' ')}` : '')
  );
}

/** Refuses, with its reason, a test that tstats cannot run exactly. */
function check(t: FieldTest, fields: ReadonlySet<string>, target: string): void {
  const v = t.value;
  if (t.field === null) throw new ConversionError('tstats-unsupported', 'a keyword search needs the raw event, which a data model summary does not keep');
  if (!fields.has(t.field)) throw new ConversionError('unknown-field', `field '${t.field}' is not in the data model ${target} (no pipeline mapping to a CIM field)`);
  if (v.type === 're') throw new ConversionError('tstats-unsupported', `|re on ${t.field}: tstats takes no regular expression (only search terms)`);
  if (v.type === 'fieldref') throw new ConversionError('tstats-unsupported', `|fieldref on ${t.field}: tstats cannot compare two fields`);
  if (v.type === 'null' || v.type === 'exists')
    throw new ConversionError('tstats-unsupported', `a null or exists test on ${t.field}: data model fields are often filled with "unknown", so absence cannot be told exactly`);
  if (t.cased) throw new ConversionError('tstats-unsupported', `|cased on ${t.field}: tstats terms match case-insensitively`);
  if (searchTest(t) === null) {
    const why = v.type === 'string' && v.parts.some((p) => typeof p !== 'string' && isWildcard(p, '?')) ? "a '?' wildcard" : v.type === 'string' ? "a literal '*' or a control character" : `a ${v.type} value`;
    throw new ConversionError('tstats-unsupported', `${t.field}: ${why}, which tstats search terms cannot express`);
  }
}
