// Assembles an SPL search for one rule: the log-source guard and the detection as search terms
// where the search language can say them exactly, the rest as one `| where` eval expression.
// The split is by top-level conjunct: a conjunct with any test that search terms cannot express
// goes whole to `| where`, so AND across the pipe keeps the rule's meaning.
import type { Expr } from '../../ir/types.js';
import { and } from '../../ir/lower.js';
import { ConversionError, processedInput, type ConvertInput, type ProcessedInput } from '../common/types.js';
import type { SigmaRule } from '../../sigma/model.js';
import { searchExpr } from './render-search.js';
import { whereExpr } from './render-where.js';
import { renderTstats, STATE_DATAMODEL, STATE_DATAMODEL_ONLY } from './render-tstats.js';

/** Pipeline state set by `splunk-windows`: a rule the pipelines gave no log-source guard is refused. */
export const STATE_GUARD_REQUIRED = 'guard_required';

export function renderSplQuery(input: ConvertInput): string {
  if (typeof input.state[STATE_DATAMODEL] === 'string') return renderTstats(input);
  const { terms, rest } = searchParts(input);
  // A search of where-tests only starts from every event.
  const lines = [terms.length ? terms.join(' ') : '*'];
  if (rest.length) lines.push(`| where ${whereExpr(and(rest))}`);
  return lines.join('\n');
}

/**
 * A rule (not a data model search) split per top-level conjunct: the search terms, and the
 * conjuncts that need `| where`. Refuses a rule the pipelines left unscoped.
 */
export function searchParts(input: ConvertInput): { terms: string[]; rest: Expr[] } {
  const refused = splRefusal(processedInput(input));
  if (refused) throw refused;
  const { ir } = input;
  const conjuncts = (e: Expr): Expr[] => (e.kind === 'and' ? e.args : e.kind === 'const' && e.value ? [] : [e]);
  const terms: string[] = [];
  const rest: Expr[] = [];
  for (const c of [...(ir.guard ? conjuncts(ir.guard) : []), ...conjuncts(ir.detection)]) {
    const s = searchExpr(c, 'and');
    if (s === null) rest.push(c);
    else terms.push(s);
  }
  return { terms, rest };
}

/**
 * The refusal of a rule (not a data model search) that the pipelines left without a data model or
 * unscoped (Backend.refusal); null otherwise.
 */
export function splRefusal({ rule, guarded, state, pipelines }: ProcessedInput): ConversionError | null {
  if (typeof state[STATE_DATAMODEL] === 'string') return null;
  if (state[STATE_DATAMODEL_ONLY] === true) return new ConversionError('no-datamodel', `no CIM data model for log source ${logsourceText(rule)} in ${pipelines.join(', ')}`);
  if (state[STATE_GUARD_REQUIRED] === true && !guarded)
    return new ConversionError('no-logsource-guard', `no source/EventCode condition for log source ${logsourceText(rule)} in ${pipelines.join(', ')}: the search would not be scoped to its events`);
  return null;
}

function logsourceText(rule: SigmaRule): string {
  const ls = Object.entries(rule.logsource)
    .filter(([k, v]) => v !== undefined && k !== 'definition')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  return ls || '(none)';
}
