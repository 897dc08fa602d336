// Hunt results in the explorer: read from `quarry hunt --format jsonl` files and DuckDB files, or
// produced in-process (the demo hunt). Each detection is tied to the loaded rule it came from;
// exclusions from Sigma filters are evaluated with the engine on the detection's event.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { applyFilters } from '../sigma/apply-filters.js';
import { EventView, textOf } from '../engine/event-access.js';
import { re2Regex } from '../engine/regex-re2.js';
import { exclusionOf, type Exclusion } from '../hunt/exclusions.js';
import { deriveHostFields, parseDerivedName } from '../sources/derived-fields.js';
import { parseJsonExact } from '../sources/json-parse.js';
import { stringifyExact } from '../sources/json-stringify.js';
import { levelRank } from '../sigma/model.js';
import { readDuckDbDetections, type StoredDetection } from '../report/detections-duckdb.js';
import type { ExplorerState } from './explorer-state.js';

export interface HuntRecord extends StoredDetection {
  n: number;
  /** Key of the loaded rule, or null when the rule is not among the explorer's rules. */
  key: string | null;
}

export interface HuntResults {
  id: string;
  label: string;
  /** The file read, or what the demo hunt ran over. */
  source: string;
  kind: 'demo' | 'jsonl' | 'duckdb';
  records: HuntRecord[];
  /** Lines that were not detections: counted, the first ones kept with their line number. */
  problems: { count: number; first: Array<{ line: number; message: string }> };
}

const MAX_PROBLEMS_KEPT = 50;

/** Finds the loaded rule of a stored detection: by id when unique, else by file and title. */
export function ruleKeyResolver(state: ExplorerState): (r: StoredDetection['rule']) => string | null {
  const byId = new Map<string, string | null>();
  const byFile = new Map<string, string>();
  for (const d of state.documents) {
    if (d.doc.kind !== 'rule') continue;
    if (d.doc.id) byId.set(d.doc.id, byId.has(d.doc.id) ? null : d.key);
    byFile.set(`${resolve(d.doc.file)}\n${d.doc.title}`, d.key);
  }
  return (r) => byFile.get(`${resolve(r.path)}\n${r.title}`) ?? (r.id ? byId.get(r.id) ?? null : null);
}

function validDetection(v: unknown): string | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  const rule = o.rule as Record<string, unknown> | undefined;
  if (!rule || typeof rule !== 'object' || typeof rule.title !== 'string' || typeof rule.path !== 'string') return "no 'rule' with a title and a path";
  if (!o.event || typeof o.event !== 'object' || Array.isArray(o.event)) return "no 'event' object";
  if (o.timestamp !== undefined && typeof o.timestamp !== 'string') return "'timestamp' is not a string";
  if (o.matched !== undefined && !Array.isArray(o.matched)) return "'matched' is not a list";
  return null;
}

/** Reads a JSONL file of detections; bad lines are counted and reported, never fatal. */
export async function readJsonlDetections(file: string): Promise<{ detections: StoredDetection[]; problems: HuntResults['problems'] }> {
  const detections: StoredDetection[] = [];
  const problems: HuntResults['problems'] = { count: 0, first: [] };
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    let v: unknown;
    let problem: string | null;
    try {
      v = parseJsonExact(text);
      problem = validDetection(v);
    } catch (e) {
      problem = `not JSON: ${(e as Error).message}`;
    }
    if (problem) {
      problems.count++;
      if (problems.first.length < MAX_PROBLEMS_KEPT) problems.first.push({ line, message: problem });
      continue;
    }
    const o = v as StoredDetection;
    detections.push({ rule: o.rule, source: o.source ?? { file }, ...(o.timestamp ? { timestamp: o.timestamp } : {}), event: o.event, matched: o.matched ?? [] });
  }
  return { detections, problems };
}

/** DuckDB files start with a 8-byte block header then the magic `DUCK`. */
export async function isDuckDbFile(file: string): Promise<boolean> {
  const { open } = await import('node:fs/promises');
  const h = await open(file, 'r');
  try {
    const buf = Buffer.alloc(12);
    await h.read(buf, 0, 12, 0);
    return buf.subarray(8, 12).toString('latin1') === 'DUCK';
  } finally {
    await h.close();
  }
}

export async function loadHuntFile(state: ExplorerState, file: string, id: string): Promise<HuntResults> {
  const resolveKey = ruleKeyResolver(state);
  const duck = await isDuckDbFile(file);
  const { detections, problems } = duck ? { detections: await readDuckDbDetections(file), problems: { count: 0, first: [] } } : await readJsonlDetections(file);
  return { id, label: file.split(/[\\/]/).pop() ?? file, source: file, kind: duck ? 'duckdb' : 'jsonl', records: detections.map((d, i) => ({ ...d, n: i + 1, key: resolveKey(d.rule) })), problems };
}

export function huntFromDetections(state: ExplorerState, id: string, label: string, source: string, detections: readonly StoredDetection[]): HuntResults {
  const resolveKey = ruleKeyResolver(state);
  return { id, label, source, kind: 'demo', records: detections.map((d, i) => ({ ...d, n: i + 1, key: resolveKey(d.rule) })), problems: { count: 0, first: [] } };
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

export interface HuntSummaryView {
  id: string;
  label: string;
  source: string;
  kind: HuntResults['kind'];
  detections: number;
  excluded: number;
  byLevel: Record<string, number>;
  byRule: Array<{ key: string | null; id: string | null; title: string; level: string | null; count: number; excluded: number }>;
  problems: HuntResults['problems'];
}

export function huntSummary(h: HuntResults, marks: Uint8Array): HuntSummaryView {
  const byLevel: Record<string, number> = {};
  const byRule = new Map<string, HuntSummaryView['byRule'][number]>();
  let excluded = 0;
  h.records.forEach((r, i) => {
    const level = r.rule.level ?? 'unset';
    byLevel[level] = (byLevel[level] ?? 0) + 1;
    const k = r.key ?? `${r.rule.path}\n${r.rule.title}`;
    const e = byRule.get(k) ?? { key: r.key, id: r.rule.id ?? null, title: r.rule.title, level: r.rule.level ?? null, count: 0, excluded: 0 };
    e.count++;
    if (marks[i]) {
      e.excluded++;
      excluded++;
    }
    byRule.set(k, e);
  });
  const rules = [...byRule.values()].sort((a, b) => levelRank(b.level ?? undefined) - levelRank(a.level ?? undefined) || b.count - a.count || a.title.localeCompare(b.title));
  return { id: h.id, label: h.label, source: h.source, kind: h.kind, detections: h.records.length, excluded, byLevel, byRule: rules, problems: h.problems };
}

export interface RecordFilter {
  rule?: string;
  level?: string;
  /** 'hide' leaves excluded detections out; otherwise they are marked. */
  excluded?: string;
}

export function selectRecords(h: HuntResults, marks: Uint8Array, f: RecordFilter): Array<{ r: HuntRecord; excluded: boolean }> {
  const out: Array<{ r: HuntRecord; excluded: boolean }> = [];
  h.records.forEach((r, i) => {
    if (f.rule && r.key !== f.rule) return;
    if (f.level && (r.rule.level ?? 'unset') !== f.level) return;
    if (f.excluded === 'hide' && marks[i]) return;
    if (f.excluded === 'only' && !marks[i]) return;
    out.push({ r, excluded: marks[i] === 1 });
  });
  return out;
}

/** One detection as the API lists it (the explorer's hunt view reads this shape). */
export type DetectionItem = ReturnType<typeof detectionItem>;

export function detectionItem(x: { r: HuntRecord; excluded: boolean }) {
  const { r } = x;
  return { n: r.n, rule: { key: r.key, id: r.rule.id ?? null, title: r.rule.title, level: r.rule.level ?? null, path: r.rule.path }, timestamp: r.timestamp ?? null, source: r.source, event: r.event, matched: r.matched, excluded: x.excluded };
}

export type Bucket = 'minute' | 'hour' | 'day';
const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Detections per time bucket; the bucket is chosen so that the span makes at most a few hundred points. */
export function timeline(records: readonly HuntRecord[]): { bucket: Bucket; points: Array<{ t: string; count: number }>; undated: number } {
  const times: number[] = [];
  let undated = 0;
  for (const r of records) {
    const t = r.timestamp ? Date.parse(r.timestamp) : NaN;
    if (Number.isNaN(t)) undated++;
    else times.push(t);
  }
  if (!times.length) return { bucket: 'hour', points: [], undated };
  const min = Math.min(...times);
  const max = Math.max(...times);
  const span = max - min;
  const bucket: Bucket = span <= 6 * 3_600_000 ? 'minute' : span <= 14 * 86_400_000 ? 'hour' : 'day';
  const size = BUCKET_MS[bucket];
  const counts = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor(t / size) * size;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const points = [...counts].sort((a, b) => a[0] - b[0]).map(([t, count]) => ({ t: new Date(t).toISOString(), count }));
  return { bucket, points, undated };
}

/** A field's value in an event: as the engine reads it, or derived (`cs-host@tld`) when the event lacks it. */
export function fieldValues(event: Record<string, unknown>, field: string): unknown[] {
  const view = new EventView(event);
  let v = view.get(field);
  if (v === undefined) {
    const d = parseDerivedName(field);
    if (d) {
      const src = textOf(view.get(d.field));
      const derived = src === null ? null : deriveHostFields(src);
      v = derived?.[d.property];
    }
  }
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export const STACK_ROW_LIMIT = 1000;

/** Counts of a field's values over detections, most frequent first (ties by value). */
export function stackField(records: readonly HuntRecord[], field: string): { field: string; rows: Array<{ value: string; count: number }>; total: number; missing: number; distinct: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const r of records) {
    const vs = fieldValues(r.event as Record<string, unknown>, field);
    if (!vs.length) missing++;
    for (const v of new Set(vs.map((x) => (typeof x === 'object' ? stringifyExact(x) : String(x))))) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const rows = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { field, rows: rows.slice(0, STACK_ROW_LIMIT), total: records.length, missing, distinct: rows.length };
}

/** Most frequent values of a field among a rule's detections in all hunts (for suggestions). */
export function seenValues(hunts: readonly HuntResults[], key: string, field: string, limit: number): string[] {
  const records = hunts.flatMap((h) => h.records.filter((r) => r.key === key));
  return stackField(records, field).rows.slice(0, limit).map((r) => r.value);
}
