// The contract every log reader implements (JSON now; EVTX, W3C, Squid, Zeek, CSV later).
// A reader yields plain events; anything it cannot read becomes a SourceProblem and reading goes on.

/** A field value. Integers outside Number.MAX_SAFE_INTEGER are `bigint` so they stay exact. */
export type EventValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | EventValue[]
  | { [key: string]: EventValue };

/** One event, as Sigma rules see it: field name → value (Windows events already flattened). */
export interface LogEvent {
  [field: string]: EventValue;
}

/** Where a record (or a problem) sits in its input. `file` is the path as given, `-` for stdin. */
export interface SourceLocation {
  file: string;
  /** 1-based line where the record starts (text formats). */
  line?: number;
  /** 1-based ordinal of the record in its input (JSON: among records read; EVTX: the record number). */
  record?: number;
  /** Byte offset, for binary formats. */
  offset?: number;
}

export interface SourceRecord {
  event: LogEvent;
  location: SourceLocation;
}

/** A malformed line/record/chunk: counted, reported, skipped; the rest of the input still reads. */
export interface SourceProblem {
  location: SourceLocation;
  message: string;
}

/** Formats the sniffer recognises. Readers exist for those `openSource` can open. */
export type SourceFormat = 'json' | 'evtx';

export interface EventSource {
  /** The path as given (`-` for stdin). */
  readonly name: string;
  readonly format: SourceFormat;
  /** Single use: yields records in input order. Problems accumulate while it runs. */
  records(): AsyncIterable<SourceRecord>;
  /** The first problems met (capped, so a garbage file cannot grow memory without bound). */
  readonly problems: SourceProblem[];
  /** How many problems were met in all, including those past the cap. */
  readonly problemCount: number;
}
