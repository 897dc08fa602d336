// The shapes of the explorer's JSON API (src/server/README.md documents the routes). Types only,
// and only from browser-safe rooms: the front end imports them, so nothing here may reach a Node
// module (the web type check, which has no Node types, fails if it does).
import type { SigmaDocument } from '../sigma/model.js';
import type { Diagnostic } from '../sigma/diagnostics.js';
import type { ResolvedTag } from '../catalog/attack.js';
import type { CatalogEntry } from '../catalog/entry.js';
import type { QueryCheck } from '../backends/common/types.js';
import type { StoredDetection } from '../hunt/detection.js';
import type { ReadProblems } from '../report/read-problems.js';
import type { StageView } from './stages.js';
import type { Suggestion } from './suggestions.js';

export type { StageView, Suggestion, ReadProblems };

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
  byRule: Array<{ key: string | null; id: string | null; title: string; level: string | null; count: number; excluded: number }>;
  problems: ReadProblems;
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
}
