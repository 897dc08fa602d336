// Reading hunt results back: JSONL files written by `quarry hunt --format jsonl` and DuckDB files
// written by `--format duckdb`, told apart by content. Bad lines are counted and reported with their
// line number, never fatal.
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseJsonExact } from '../json/parse-exact.js';
import type { StoredDetection } from '../hunt/detection.js';
import type { ReadProblems } from './read-problems.js';
import { asHuntInfo, huntInfoSidecar, type HuntInfo } from './hunt-info.js';

const MAX_PROBLEMS_KEPT = 50;

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
export async function readJsonlDetections(file: string): Promise<{ detections: StoredDetection[]; problems: ReadProblems }> {
  const detections: StoredDetection[] = [];
  const problems: ReadProblems = { count: 0, first: [] };
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
    const o = v as StoredDetection & Partial<Omit<NonNullable<StoredDetection['correlation']>, 'type'>>;
    const correlation = o.rule.correlation && o.group && o.window ? { correlation: { type: o.rule.correlation, group: o.group, window: o.window, value: Number(o.value), condition: String(o.condition ?? ''), events: o.events ?? [], eventCount: Number(o.eventCount ?? o.events?.length ?? 0) } } : {};
    detections.push({ rule: o.rule, source: o.source ?? { file }, ...(o.timestamp ? { timestamp: o.timestamp } : {}), event: o.event, matched: o.matched ?? [], ...correlation });
  }
  return { detections, problems };
}

/** DuckDB files start with a 8-byte block header then the magic `DUCK`. */
export async function isDuckDbFile(file: string): Promise<boolean> {
  const h = await open(file, 'r');
  try {
    const buf = Buffer.alloc(12);
    await h.read(buf, 0, 12, 0);
    return buf.subarray(8, 12).toString('latin1') === 'DUCK';
  } finally {
    await h.close();
  }
}

/** A JSONL file's side-car record of its hunt (null when there is none, or it is unreadable). */
async function readSidecar(file: string): Promise<HuntInfo | null> {
  let text: string;
  try {
    text = await readFile(huntInfoSidecar(file), 'utf8');
  } catch {
    return null;
  }
  try {
    return asHuntInfo(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Reads a hunt results file of either kind, with its record of completion (`info`: null when the
 * file has none, e.g. written by another tool or an older quarry).
 */
export async function readDetectionsFile(file: string): Promise<{ kind: 'jsonl' | 'duckdb'; detections: StoredDetection[]; problems: ReadProblems; info: HuntInfo | null }> {
  if (await isDuckDbFile(file)) {
    // Loaded only for DuckDB files: its bindings take a noticeable part of a second to load.
    const { readDuckDbDetections } = await import('./detections-duckdb.js');
    return { kind: 'duckdb', ...(await readDuckDbDetections(file)), problems: { count: 0, first: [] } };
  }
  return { kind: 'jsonl', ...(await readJsonlDetections(file)), info: await readSidecar(file) };
}
