// The shapes of the explorer's JSON API (src/server/README.md documents the routes). Types only,
// and only from browser-safe rooms: the front end imports them, so nothing here may reach a Node
// module (the web type check, which has no Node types, fails if it does).
import type { CorrelationType, SigmaDocument } from '../sigma/model.js';
import type { Diagnostic } from '../sigma/diagnostics.js';
import type { ResolvedTag } from '../catalog/attack.js';
import type { CatalogEntry } from '../catalog/entry.js';
import type { QueryCheck } from '../backends/common/types.js';
import type { CorrelationResult, StoredDetection } from '../hunt/detection.js';
import type { ReadProblems } from '../report/read-problems.js';
import type { Timeline as TimelineView } from '../hunt/result-stats.js';
import type { HuntInfo } from '../report/hunt-info.js';
import type { StageView } from './stages.js';
import type { Suggestion } from './suggestions.js';

export type { StageView, Suggestion, ReadProblems, TimelineView, HuntInfo };

/** One target and pipeline's translation of a rule, with its validation. */
export interface Translation {
  target: string;
  pipeline: string;
  label: string;
  ok: boolean;
  query?: string;
  error?: string;
  code?: string;
  check?: QueryCheck;
  /** What the query cannot tell apart that the engine does (e.g. KQL: empty and missing). */
  notes?: readonly string[];
}

export interface HuntingContext {
  narrative: string;
  dataSource: string;
  tactics: Array<{ id: string | null; name: string }>;
  techniques: Array<{ id: string; name: string | null }>;
  /** The first KQL translation that converted, to start a hunt in Sentinel. */
  query?: { target: string; pipeline: string; text: string };
  /** Each false-positive note with an exclusion: `specific` when drawn from the note itself. */
  scenarios: Array<{ falsepositive: string; exclusion: Suggestion | null; specific: boolean }>;
  /** Scenarios the rule's notes do not name but its fields make likely, each with an exclusion (src/server/scenarios.ts). */
  general: Array<{ title: string; description: string; exclusion: Suggestion }>;
  /** ATT&CK's description of each tagged technique (src/server/attack-descriptions.ts); null when it tags none. */
  techniqueText: TechniqueDescriptions | null;
}

/** The tagged techniques (a sub-technique's parent first) with ATT&CK's text when the loaded data has it. */
export interface TechniqueDescriptions {
  entries: Array<{ id: string; name: string | null; url: string | null; text: string | null }>;
  /** MITRE's copyright and terms, present whenever any text is shown. */
  attribution: string | null;
  /** What is missing and, when the data has no descriptions at all, how to get them (`--attack`). */
  note: string | null;
}

/** A Sigma filter file as the explorer lists it. */
export interface FilterFileInfo {
  name: string;
  path: string;
  root: string;
  key: string;
  title: string;
  id: string | null;
  rules: string[];
  createdByExplorer: boolean;
  source: string;
}

/** A correlation as its rule page shows it (src/server/correlation-view.ts). */
export interface CorrelationView {
  type: CorrelationType;
  /** What the condition compares, in words: "events", "distinct values of User", "95th percentile of Bytes". */
  measure: string;
  condition: {
    /** As hunt output writes it: `gte 3`, `gt 2 and lte 10`, the temporal expression, or `all of a, b`. */
    asWritten: string;
    /** `≥ 3`, `> 2 and ≤ 10`; null for an expression or no condition (temporal types: all rules). */
    symbols: string | null;
    /** value_* types: the field (value_count: fields) measured. */
    fields: string[];
    percentile?: number;
    /** The condition is a boolean expression of rule names (asWritten holds it). */
    expression: boolean;
  };
  timespan: { text: string; ms: number; words: string };
  /** Per group-by name, the field each input (base rule or correlation, by the reference written) carries it in. */
  groupBy: Array<{ name: string; aliased: boolean; fields: Array<{ ref: string; field: string }> }>;
  generate: boolean;
  /** The rules and correlations it reads, in the order written; `unknown` when the reference names nothing loaded. */
  inputs: Array<{ ref: string; kind: 'rule' | 'correlation' | 'unknown'; key: string | null; title: string | null; level: string | null; correlation?: CorrelationType }>;
  /** Why the hunt cannot run it (unknown reference, cycle), or null. */
  problem: string | null;
}

/** A correlation that reads a rule (or another correlation), for "Used by" on that rule's page. */
export interface CorrelationUse {
  key: string | null;
  title: string;
  type: CorrelationType;
  generate: boolean;
  /** The id or name the correlation names it by. */
  ref: string;
}

export interface RuleDetail {
  key: string;
  entry: CatalogEntry;
  kind: SigmaDocument['kind'];
  source: string;
  diagnostics: Array<Pick<Diagnostic, 'severity' | 'line' | 'col' | 'message' | 'code'>>;
  attack: ResolvedTag[];
  logsource: Record<string, string>;
  stages: StageView;
  translations: Translation[];
  falsepositives: string[];
  /** The rule's references (not in the catalog entries: the catalog list does not show them). */
  references: string[];
  suggestions: Suggestion[];
  /** Sigma filter files in force for this rule (applied), and those naming it but not applied, with why. */
  /** `cannotRun`: why a hunt cannot run the rule with this filter (a regex RE2 refuses): the rule drops out of hunts. */
  filters: Array<Pick<FilterFileInfo, 'path' | 'name' | 'source' | 'title' | 'key' | 'createdByExplorer'> & { cannotRun?: string }>;
  filtersSkipped: Array<{ path: string; reason: string }>;
  hunting: HuntingContext | null;
  /** For a correlation: what it is and reads. Null for rules and filters. */
  correlation: CorrelationView | null;
  /** The correlations that read this rule or correlation. */
  usedBy: CorrelationUse[];
  /** It reports nothing of its own in a hunt: every correlation that reads it has `generate: false`. */
  silent: boolean;
}

export type HuntKind = 'demo' | 'jsonl' | 'duckdb';

export interface HuntSummaryView {
  id: string;
  label: string;
  source: string;
  kind: HuntKind;
  detections: number;
  excluded: number;
  byLevel: Record<string, number>;
  /** How many of the detections are correlation detections. */
  correlations: number;
  byRule: Array<{ key: string | null; id: string | null; title: string; level: string | null; count: number; excluded: number; correlation?: CorrelationType }>;
  problems: ReadProblems;
  /** Whether the hunt that wrote these results completed (`completed: false`: interrupted, partial); null when the file does not say. */
  info: HuntInfo | null;
}

/** One detection as the API lists it (the explorer's hunt view reads this shape). */
export interface DetectionItem {
  n: number;
  rule: { key: string | null; id: string | null; title: string; level: string | null; path: string };
  timestamp: string | null;
  source: StoredDetection['source'];
  event: StoredDetection['event'];
  matched: StoredDetection['matched'];
  excluded: boolean;
  /** The event's host, user, channel and event id (src/server/triage-columns.ts); null where it has none. */
  host: string | null;
  user: string | null;
  channel: string | null;
  eventId: string | null;
  /** A correlation detection's group, window, value and contributing events; each event with `n`, the
   * detection of the same event in this hunt (null when the hunt does not hold it), and `key`, its rule's explorer key. */
  correlation?: Omit<CorrelationResult, 'events'> & { events: Array<CorrelationResult['events'][number] & { n: number | null; key: string | null }> };
}
