// Whether a hunt's results are complete, stored with them: a DuckDB file has a one-row table
// `hunt_info`; JSONL and CSV have a side-car `FILE.hunt.json`, so that the results file itself stays
// plain JSONL (or CSV) for other tools. Browser-safe (types and pure functions only): the server's
// API types import it.

export interface HuntInfo {
  /** true when the hunt read every input to its end; false when it was interrupted */
  completed: boolean;
  /** why it did not complete (e.g. `interrupted by SIGINT`) */
  reason?: string;
  /** ISO 8601 times the hunt started and its output was closed */
  started: string;
  finished: string;
  /** events read and detections written up to the end (or the interruption) */
  events: number;
  detections: number;
  /** records or lines the readers could not use */
  problems: number;
}

/** Where the side-car of a JSONL or CSV results file lives. */
export function huntInfoSidecar(file: string): string {
  return `${file}.hunt.json`;
}

/** Where an interrupted hunt's partial results go: beside the earlier result, never over it. */
export function incompletePath(file: string): string {
  return `${file}.incomplete`;
}

/** Checks a parsed side-car or table row; returns null when it is not a HuntInfo. */
export function asHuntInfo(v: unknown): HuntInfo | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.completed !== 'boolean' || typeof o.started !== 'string' || typeof o.finished !== 'string') return null;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : Number(x ?? 0) || 0);
  return {
    completed: o.completed,
    ...(typeof o.reason === 'string' ? { reason: o.reason } : {}),
    started: o.started,
    finished: o.finished,
    events: n(o.events),
    detections: n(o.detections),
    problems: n(o.problems),
  };
}
