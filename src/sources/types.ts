// The contract every log reader implements (JSON, EVTX, W3C, Squid, Zeek TSV/JSON, CSV).
// A reader yields plain events; anything it cannot read becomes a SourceProblem and reading goes on.
import type { ExactJson } from '../json/parse-exact.js';

/** A field value. Integers outside Number.MAX_SAFE_INTEGER are `bigint` so they stay exact. */
export type EventValue = ExactJson;

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
  /** How many records this problem stands for, when more than one (a run of lost EVTX records). */
  records?: number;
}

/**
 * Formats the sniffer recognises. Readers exist for those `openSource` can open.
 * `zeek-json` is Zeek's http.log written as NDJSON: read by the JSON reader, but told apart so that
 * it gets the Zeek pipeline and log source.
 */
export type SourceFormat = 'json' | 'evtx' | 'w3c' | 'squid' | 'zeek-tsv' | 'zeek-json' | 'csv';

export const SOURCE_FORMATS: readonly SourceFormat[] = ['json', 'evtx', 'w3c', 'squid', 'zeek-tsv', 'zeek-json', 'csv'];

/** The Sigma log source a format implies (same keys as a rule's `logsource`; sources import nothing of sigma). */
export interface ImpliedLogSource {
  category?: string;
  product?: string;
  service?: string;
}

export interface EventSource {
  /** The path as given (`-` for stdin). */
  readonly name: string;
  readonly format: SourceFormat;
  /** Single use: yields records in input order. Problems accumulate while it runs. */
  records(): AsyncIterable<SourceRecord>;
  /**
   * The Sigma log source this input's content implies (Squid, ELFF and Zeek http → proxy; IIS W3C →
   * webserver), decided when the input is opened; undefined when the format does not tell.
   */
  readonly logsource?: ImpliedLogSource;
  /** The built-in field-mapping pipeline for this format (`w3c`, `squid`, `zeek-http`), if any. */
  readonly pipeline?: string;
  /** The first problems met (capped, so a garbage file cannot grow memory without bound). */
  readonly problems: SourceProblem[];
  /** How many problems were met in all, including those past the cap. */
  readonly problemCount: number;
}
