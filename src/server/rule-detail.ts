// The rule page's data: the document, its diagnostics and ATT&CK tags resolved, the stages view,
// translations with their checks, exclusion suggestions, the hunting context, and its correlations
// (what a correlation reads; which correlations read a rule). The page carries its translations
// unchecked (converting takes milliseconds); their checks, the costly part, come from checksOf
// (GET /api/rules/KEY/checks) once the page is shown. Both are cached until tuning changes filters.
import type { SigmaDocument, SigmaRule } from '../sigma/model.js';
import { applyFilters } from '../sigma/apply-filters.js';
import { resolveTags } from '../catalog/attack.js';
import type { ExplorerState, LoadedDocument } from './explorer-state.js';
import { stageView } from './stages.js';
import { checkTranslations, translateCorrelation, translateRule } from './translations.js';
import type { QueryCheck } from '../backends/common/types.js';
import { suggestExclusions, type SeenValues } from './suggestions.js';
import { huntingContext } from './hunting.js';
import { filterInfo } from './tuning.js';
import { filterProblem } from '../hunt/exclusions.js';
import { re2Regex } from '../engine/regex-re2.js';
import { correlationUses, correlationView } from './correlation-view.js';
import type { RuleDetail } from './api-types.js';

export type { RuleDetail };

function diagnosticsOf(state: ExplorerState, doc: SigmaDocument): RuleDetail['diagnostics'] {
  const lines = doc.source.split('\n').length;
  return state.col.diagnostics
    .filter((d) => d.file === doc.file && d.line >= doc.pos.line && d.line < doc.pos.line + lines)
    .map((d) => ({ severity: d.severity, line: d.line, col: d.col, code: d.code, message: d.message }));
}

function logsourceOf(doc: SigmaDocument): Record<string, string> {
  const out: Record<string, string> = {};
  if (doc.kind === 'correlation') return out;
  for (const k of ['category', 'product', 'service', 'definition'] as const) if (doc.logsource[k]) out[k] = doc.logsource[k]!;
  return out;
}

export function buildRuleDetail(state: ExplorerState, loaded: LoadedDocument, seen?: SeenValues): RuleDetail {
  const { doc } = loaded;
  const attack = resolveTags(doc.tags, state.attack);
  const base = {
    key: loaded.key,
    entry: loaded.entry,
    kind: doc.kind,
    source: doc.source,
    diagnostics: diagnosticsOf(state, doc),
    attack,
    logsource: logsourceOf(doc),
    falsepositives: doc.falsepositives,
    references: doc.references,
    ...correlationUses(state, doc),
    correlation: doc.kind === 'correlation' ? correlationView(state, doc) : null,
  };
  if (doc.kind === 'correlation') {
    // Converted as `quarry convert` does; targets that do not convert correlations say why.
    const translations = translateCorrelation(doc, state.col, { check: false });
    return {
      ...base,
      stages: { condition: [], selections: [] },
      translations,
      suggestions: [],
      filters: [],
      filtersSkipped: [],
      hunting: null,
    };
  }
  if (doc.kind === 'filter') {
    // A filter's own stages: its identifiers are exclusions.
    const pseudo = { ...doc, kind: 'rule' } as unknown as SigmaRule;
    const stages = stageView(pseudo);
    for (const s of stages.selections) s.role = 'filter';
    return { ...base, stages, translations: [], suggestions: [], filters: [], filtersSkipped: [], hunting: null };
  }
  const applied = applyFilters(doc, state.col.filters);
  const stages = stageView(applied.rule);
  const translations = translateRule(doc, state.col.filters, { check: false });
  const suggestions = suggestExclusions(applied.rule, stages, seen);
  const filters = applied.applied.map((f) => {
    const i = filterInfo(state, f);
    // A filter written by hand (the explorer refuses such exclusions) may make the rule impossible to hunt.
    const problem = filterProblem(doc, f, re2Regex);
    const cannotRun = problem ? (problem.at ? `${i.path}:${problem.at.line}:${problem.at.col}: ${problem.at.message}` : problem.reason) : undefined;
    return { path: i.path, name: i.name, source: i.source, title: i.title, key: i.key, createdByExplorer: i.createdByExplorer, ...(cannotRun ? { cannotRun } : {}) };
  });
  const filtersSkipped = applied.skipped.map((s) => ({ path: filterInfo(state, s.filter).path, reason: s.reason }));
  return { ...base, stages, translations, suggestions, filters, filtersSkipped, hunting: huntingContext(doc, attack, state.attack, translations, suggestions, stages, seen) };
}

/** Rule details, and the checks of their translations, cached per key for the current tuning generation. */
export class RuleDetailCache {
  private cache = new Map<string, { generation: number; detail: RuleDetail; checks?: Promise<Record<string, QueryCheck>> }>();
  private static readonly LIMIT = 500;

  constructor(private readonly state: ExplorerState) {}

  get(loaded: LoadedDocument, seen?: SeenValues): RuleDetail {
    const hit = this.cache.get(loaded.key);
    if (hit && hit.generation === this.state.generation) return hit.detail;
    const detail = buildRuleDetail(this.state, loaded, seen);
    if (this.cache.size >= RuleDetailCache.LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(loaded.key, { generation: this.state.generation, detail });
    return detail;
  }

  /** The checks of the rule's translations by `target:pipeline`, computed once per generation. */
  checks(loaded: LoadedDocument, seen?: SeenValues): Promise<Record<string, QueryCheck>> {
    const detail = this.get(loaded, seen);
    const hit = this.cache.get(loaded.key)!;
    return (hit.checks ??= checkTranslations(detail.translations));
  }
}
