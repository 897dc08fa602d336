import type { LogEvent } from '../types.js';
import type { EvtxFileHeader } from './file-header.js';

/** One event record. `event` has the shape of the evtx crate's `evtx_dump -o json`. */
export interface EvtxRecord {
  kind: 'record';
  recordId: number;
  /** written time, ISO 8601 UTC with microseconds, e.g. 2021-02-22T23:07:20.794383Z */
  timestamp: string;
  /** empty ({}) when not requested (`json: false`, or `flat: true`) */
  event: Record<string, unknown>;
  /** with `flat: true`: the event as normalizeEvent(event) would make it (render-flat.ts) */
  flat?: LogEvent;
  /**
   * with `flat: true`: whether the nested event belongs to `flat` as its hidden `Event`; when `flat`
   * lacks it (it was not made, or did not cross threads), NestedEvents.attach gives it (nested-event.ts)
   */
  nested?: boolean;
  /** event XML, when requested with `xml: true` */
  xml?: string;
  file: string;
  /** file offset of the record */
  offset: number;
  chunk: number;
}

/**
 * A chunk or record that could not be read; reading goes on after it. Scope `lost` is a run of
 * records the chunk header declares (by first and last record id) that the walk never reached,
 * e.g. after a wiped stretch: `lost` says how many, `offset` where the walk stopped.
 */
export interface EvtxError {
  kind: 'error';
  scope: 'file' | 'chunk' | 'record' | 'lost';
  /** scope `lost`: how many records */
  lost?: number;
  file: string;
  /** file offset of the chunk or record */
  offset: number;
  chunk?: number;
  recordId?: number;
  message: string;
}

/** Something suspicious that did not stop reading. */
export interface EvtxWarning {
  kind: 'warning';
  /** crc: a checksum mismatch; structure: e.g. a size copy mismatch or a wiped chunk tail */
  type: 'crc' | 'structure';
  file: string;
  offset: number;
  chunk?: number;
  message: string;
}

export interface EvtxStats {
  file: string;
  fileSize: number;
  header: EvtxFileHeader | null;
  /** chunks with a valid signature that were parsed */
  chunks: number;
  recordsOk: number;
  recordsFailed: number;
  /** records declared by chunk headers that were neither read nor failed (see EvtxError scope `lost`) */
  recordsLost: number;
  chunkErrors: number;
  crcWarnings: number;
  warnings: EvtxWarning[];
  errors: EvtxError[];
}

export interface EvtxOptions {
  /** worker threads for chunk parsing; default = CPU count; 0 or 1 parses in this thread */
  workers?: number;
  /** render each record's XML too (default false) */
  xml?: boolean;
  /** render the JSON event (default true) */
  json?: boolean;
  /** render each record straight to its flat event (`flat`) instead of the JSON event (default false) */
  flat?: boolean;
  /**
   * Read only the chunk slots `from` (inclusive) to `to` (exclusive), e.g. one worker's share of a
   * big file; the file header's problems are reported by the share that starts at slot 0 only.
   */
  chunks?: { from: number; to: number };
}

/** What parsing one chunk yields; plain data so it can cross a worker boundary. */
export interface ChunkResult {
  chunk: number;
  offset: number;
  /** false when the slot holds no chunk (zero-filled / no signature beyond the header's count) */
  present: boolean;
  records: EvtxRecord[];
  errors: EvtxError[];
  warnings: EvtxWarning[];
}
