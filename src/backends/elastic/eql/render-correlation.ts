// A correlation rule as an EQL sequence, where a sequence says exactly what the correlation says:
//
//   temporal_ordered  sequence by <group> with maxspan=<timespan> [<rule 1>] [<rule 2>] …
//                     (aliases: each rule's own field as that query's `by` key)
//   event_count ≥ N   sequence by <group> with maxspan=<timespan> [<rules>] with runs=N
//                     (`gt N` is runs=N+1)
//
// A sequence completes at the first event that ends N matching events (or the rules in order)
// within the timespan for one key, which is where the engine's sliding window first meets the
// condition. EQL's sequences keep one pending sequence per state and key, the most recent
// (Elasticsearch's EQL syntax reference); the most recent start is the one that leaves most room
// within maxspan, so the first completion per key is the same. Each query tests its group fields
// present and not empty, as the engine does before it puts an event in a group.
//
// Refused with a reason: the other types (EQL has no counts of values, sums or averages), upper
// bounds and equalities (a sequence can only say "at least"), a temporal_ordered condition that
// asks for fewer rules than it names, and runs beyond EQL's limit.
import { and } from '../../../ir/lower.js';
import { ConversionError, type CorrelationConvertInput } from '../../common/types.js';
import { esType } from '../ecs-types.js';
import { eqlCategory } from '../state.js';
import { eqlDuration } from '../timespan.js';
import { renderExpr } from './render.js';
import { eqlField } from './syntax.js';

/** The most repetitions `with runs=` takes (Elasticsearch's EQL grammar). */
export const MAX_RUNS = 100;

export function renderEqlCorrelation(input: CorrelationConvertInput): string {
  const c = input.correlation;
  const fail = (why: string, code = 'correlation-unsupported'): never => {
    throw new ConversionError(code, why);
  };
  if (c.expression) fail('a temporal condition written as an expression has no EQL sequence', 'correlation-condition');
  const query = (i: number, extra: string[]) => {
    const { ir, state } = input.inputs[i]!;
    const cond = renderExpr(and([...(ir.guard ? [ir.guard] : []), ir.detection]), extra.length ? 'and' : 'top');
    return `${eqlCategory(state)} where ${[cond, ...extra].join(' and ')}`;
  };
  // The engine leaves an event out of every group when a group-by value is missing or empty.
  const present = (fields: string[]) => fields.flatMap((f) => [`${eqlField(f)} != null`, ...(esType(f) === 'keyword' ? [`${eqlField(f)} != ""`] : [])]);
  const span = `with maxspan=${eqlDuration(c.timespanMs)}`;

  if (c.type === 'temporal_ordered') {
    const asked = c.conditions.find((x) => !(x.op === 'gte' && x.value === c.inputs.length) && !(x.op === 'gt' && x.value === c.inputs.length - 1));
    if (asked) fail(`the condition '${asked.op} ${asked.value}' asks for other than all ${c.inputs.length} rules in order, which an EQL sequence cannot say`, 'correlation-condition');
    const shared = c.groupBy.every((_, k) => c.groupFields.every((fs) => fs[k] === c.groupFields[0]![k]));
    const by = (fields: string[]) => (fields.length ? ` by ${fields.map(eqlField).join(', ')}` : '');
    const header = `sequence${shared ? by(c.groupFields[0]!) : ''} ${span}`;
    const stages = c.inputs.map((_, i) => `  [${query(i, present(c.groupFields[i]!))}]${shared ? '' : by(c.groupFields[i]!)}`);
    return [header, ...stages].join('\n');
  }
  if (c.type !== 'event_count') fail(`${c.type} has no EQL form: a sequence counts events, not values, sums or rules in any order`);
  const bound = c.conditions.find((x) => x.op !== 'gte' && x.op !== 'gt');
  if (bound) fail(`the condition '${bound.op}' is not a lower bound: an EQL sequence says "at least N events" only`, 'correlation-condition');
  // gte N and gt M together: the larger requirement.
  const runs = Math.max(...c.conditions.map((x) => (x.op === 'gt' ? Math.floor(x.value) + 1 : Math.ceil(x.value))));
  if (runs < 2) fail(`an EQL sequence has at least two events; a count of ${runs} is every matching event (convert the base rule instead)`, 'correlation-condition');
  if (runs > MAX_RUNS) fail(`runs=${runs} is beyond EQL's limit of ${MAX_RUNS}`);
  // One query for all rules: the rules share one event category and one field per group.
  const categories = new Set(input.inputs.map(({ state }) => eqlCategory(state)));
  if (categories.size > 1) fail(`the rules read different event categories (${[...categories].join(', ')}), which one repeated query cannot`);
  const fields = c.groupFields[0]!;
  if (c.groupFields.some((fs) => fs.some((f, k) => f !== fields[k]))) fail('the rules name different group-by fields (aliases), which one repeated query cannot key on');
  const guards = present(fields);
  const conds = input.inputs.map(({ ir }) => renderExpr(and([...(ir.guard ? [ir.guard] : []), ir.detection]), standing(input.inputs.length, guards.length)));
  const cond = conds.length === 1 ? conds[0]! : `(${conds.join(' or ')})`;
  return [`sequence${fields.length ? ` by ${fields.map(eqlField).join(', ')}` : ''} ${span}`, `  [${[...categories][0]} where ${[cond, ...guards].join(' and ')}] with runs=${runs}`].join('\n');
}

/** How a base rule's condition stands: alone, beside the group guards (and), or among other rules (or). */
function standing(rules: number, guards: number): 'top' | 'and' | 'or' {
  return rules > 1 ? 'or' : guards ? 'and' : 'top';
}
