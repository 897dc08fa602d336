// Hunt results in the explorer: read from `quarry hunt --format jsonl` files and DuckDB files, or
// produced in-process (the demo hunt). Each detection is tied to the loaded rule it came from;
// exclusions from Sigma filters are evaluated with the engine on the detection's event.
import { triageColumns } from './triage-columns.js';
import { resolve } from 'node:path';
import { applyFilters } from '../sigma/apply-filters.js';
import { re2Regex } from '../engine/regex-re2.js';
import { exclusionOf, type Exclusion } from '../hunt/exclusions.js';
import type { StoredDetection } from '../hunt/detection.js';
import { stackField } from '../hunt/result-stats.js';
import { levelRank } from '../sigma/model.js';
import { readDetectionsFile } from '../report/detections-read.js';
import { detectionsByPlace, locationKey } from '../hunt/correlation-events.js';
import { ruleKey } from '../sigma/correlation-plan.js';
import type { HuntInfo } from '../report/hunt-info.js';
import type { DetectionItem, HuntKind, HuntSummaryView, ReadProblems } from './api-types.js';
import type { ExplorerState } from './explorer-state.js';

export interface HuntRecord extends StoredDetection {
  n: number;
  /** Key of the loaded rule, or null when the rule is not among the explorer's rules. */
  key: string | null;
}

export interface HuntResults {
  id: string;
  /** Built on first use: the detection (`n`) of each event place, to link a correlation's events. */
  places?: Map<string, number>;
  label: string;
  /** The file read, or what the demo hunt ran over. */
  source: string;
  kind: HuntKind;
  records: HuntRecord[];
  /** Lines that were not detections: counted, the first ones kept with their line number. */
  problems: ReadProblems;
  /** The file's record of its hunt (completed or interrupted); null when it has none. */
  info: HuntInfo | null;
}

/** Finds the loaded rule or correlation of a stored detection: by id when unique, else by file and title. */
export function ruleKeyResolver(state: ExplorerState): (r: StoredDetection['rule']) => string | null {
  const byId = new Map<string, string | null>();
  const byFile = new Map<string, string>();
  for (const d of state.documents) {
    if (d.doc.kind === 'filter') continue;
    if (d.doc.id) byId.set(d.doc.id, byId.has(d.doc.id) ? null : d.key);
    byFile.set(`${resolve(d.doc.file)}\n${d.doc.title}`, d.key);
  }
  return (r) => byFile.get(`${resolve(r.path)}\n${r.title}`) ?? (r.id ? byId.get(r.id) ?? null : null);
}

/**
 * The explorer key of a correlation's base rule as its events name it (the rule's id, else its
 * name, else file#document: sigma/correlation-plan's ruleKey).
 */
export function baseRuleResolver(state: ExplorerState): (ref: string) => string | null {
  const byRef = new Map<string, string>();
  for (const d of state.documents) if (d.doc.kind !== 'filter' && !byRef.has(ruleKey(d.doc))) byRef.set(ruleKey(d.doc), d.key);
  return (ref) => byRef.get(ref) ?? null;
}

export async function loadHuntFile(state: ExplorerState, file: string, id: string): Promise<HuntResults> {
  const resolveKey = ruleKeyResolver(state);
  const { kind, detections, problems, info } = await readDetectionsFile(file);
  return { id, label: file.split(/[\\/]/).pop() ?? file, source: file, kind, records: detections.map((d, i) => ({ ...d, n: i + 1, key: resolveKey(d.rule) })), problems, info };
}

export function huntFromDetections(state: ExplorerState, id: string, label: string, source: string, detections: readonly StoredDetection[]): HuntResults {
  const resolveKey = ruleKeyResolver(state);
  return { id, label, source, kind: 'demo', records: detections.map((d, i) => ({ ...d, n: i + 1, key: resolveKey(d.rule) })), problems: { count: 0, first: [] }, info: null };
}

// ---- exclusions ----

/** Which records an exclusion (a Sigma filter in force now) removes; cached per tuning generation. */
export class ExclusionMarks {
  private cache = new Map<string, { generation: number; marks: Uint8Array }>();

  constructor(private readonly state: ExplorerState) {}

  marks(h: HuntResults): Uint8Array {
    const hit = this.cache.get(h.id);
    if (hit && hit.generation === this.state.generation) return hit.marks;
    const marks = new Uint8Array(h.records.length);
    const byKey = new Map<string, Exclusion[]>();
    const exclusionsOf = (key: string): Exclusion[] => {
      let list = byKey.get(key);
      if (list) return list;
      const doc = this.state.byKey.get(key)?.doc;
      list = [];
      if (doc?.kind === 'rule') for (const f of applyFilters(doc, this.state.col.filters).applied) {
        const c = exclusionOf(doc, f, re2Regex);
        if (c) list.push(c);
      }
      byKey.set(key, list);
      return list;
    };
    h.records.forEach((r, i) => {
      if (!r.key) return;
      const ex = exclusionsOf(r.key);
      if (!ex.length) return;
      if (ex.some((e) => e(r.event as Record<string, unknown>))) marks[i] = 1;
    });
    this.cache.set(h.id, { generation: this.state.generation, marks });
    return marks;
  }
}

// ---- views ----

export function huntSummary(h: HuntResults, marks: Uint8Array): HuntSummaryView {
  const byLevel: Record<string, number> = {};
  const byRule = new Map<string, HuntSummaryView['byRule'][number]>();
  let excluded = 0;
  let correlations = 0;
  h.records.forEach((r, i) => {
    if (r.correlation) correlations++;
    const level = r.rule.level ?? 'unset';
    byLevel[level] = (byLevel[level] ?? 0) + 1;
    const k = r.key ?? `${r.rule.path}\n${r.rule.title}`;
    const e = byRule.get(k) ?? { key: r.key, id: r.rule.id ?? null, title: r.rule.title, level: r.rule.level ?? null, count: 0, excluded: 0, ...(r.correlation ? { correlation: r.correlation.type } : {}) };
    e.count++;
    if (marks[i]) {
      e.excluded++;
      excluded++;
    }
    byRule.set(k, e);
  });
  const rules = [...byRule.values()].sort((a, b) => levelRank(b.level ?? undefined) - levelRank(a.level ?? undefined) || b.count - a.count || a.title.localeCompare(b.title));
  return { id: h.id, label: h.label, source: h.source, kind: h.kind, detections: h.records.length, excluded, correlations, byLevel, byRule: rules, problems: h.problems, info: h.info };
}

export interface RecordFilter {
  rule?: string;
  level?: string;
  /** 'hide' leaves excluded detections out; otherwise they are marked. */
  excluded?: string;
  /** Only these detections (by `n`): the events of a correlation. */
  ns?: ReadonlySet<number>;
}

export function selectRecords(h: HuntResults, marks: Uint8Array, f: RecordFilter): Array<{ r: HuntRecord; excluded: boolean }> {
  const out: Array<{ r: HuntRecord; excluded: boolean }> = [];
  h.records.forEach((r, i) => {
    if (f.ns && !f.ns.has(r.n)) return;
    if (f.rule && r.key !== f.rule) return;
    if (f.level && (r.rule.level ?? 'unset') !== f.level) return;
    if (f.excluded === 'hide' && marks[i]) return;
    if (f.excluded === 'only' && !marks[i]) return;
    out.push({ r, excluded: marks[i] === 1 });
  });
  return out;
}

/** The API's view of a record; a correlation's events get the `n` of their own detection in the hunt and their rule's key. */
export function detectionItem(h: HuntResults, x: { r: HuntRecord; excluded: boolean }, baseKey: (ref: string) => string | null): DetectionItem {
  const { r } = x;
  const item: DetectionItem = { n: r.n, rule: { key: r.key, id: r.rule.id ?? null, title: r.rule.title, level: r.rule.level ?? null, path: r.rule.path }, timestamp: r.timestamp ?? null, source: r.source, event: r.event, matched: r.matched, excluded: x.excluded, ...triageColumns(r) };
  if (r.correlation) {
    const places = (h.places ??= detectionsByPlace(h.records));
    item.correlation = { ...r.correlation, events: r.correlation.events.map((e) => ({ ...e, n: places.get(locationKey(e)) ?? null, key: baseKey(e.rule) })) };
  }
  return item;
}

/** Most frequent values of a field among a rule's detections in all hunts (for suggestions). */
export function seenValues(hunts: readonly HuntResults[], key: string, field: string, limit: number): string[] {
  const records = hunts.flatMap((h) => h.records.filter((r) => r.key === key));
  return stackField(records, field).rows.slice(0, limit).map((r) => r.value);
}
