// EVTX files as an EventSource: records rendered straight to the flat event that flatten.ts makes of
// EVTX-shaped JSON (evtx/render-flat.ts), their nested form built when a rule reads `Event`
// (evtx/nested-event.ts); unreadable chunks and records reported as problems with their file offsets.
import { readEvtx } from './evtx/index.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from './evtx/file-header.js';
import { NestedEvents } from './evtx/nested-event.js';
import { SourceError, type ReaderFactory } from './open-source.js';
import type { EventSource, SourceProblem, SourceRecord } from './types.js';

/** Problems kept per file (all are counted). */
export const MAX_PROBLEMS = 1000;

/** How many 64 KiB chunk slots an EVTX file of `size` bytes has after its header (all are examined). */
export function evtxChunkSlots(size: number): number {
  return size > FILE_HEADER_SIZE ? Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE) : 0;
}

/** `chunks`: only those chunk slots (a share of a big file, `quarry hunt --workers`). */
export function openEvtxSource(path: string, options: { workers?: number; chunks?: { from: number; to: number } } = {}): EventSource {
  const problems: SourceProblem[] = [];
  const source = {
    name: path,
    format: 'evtx' as const,
    problems,
    problemCount: 0,
    async *records(): AsyncIterable<SourceRecord> {
      // In-thread by default: on two cores, moving parsed events back from workers costs more than parsing them.
      const reader = readEvtx(path, { workers: options.workers ?? 0, flat: true, ...(options.chunks ? { chunks: options.chunks } : {}) });
      const nested = new NestedEvents();
      for await (const item of reader) {
        if (item.kind === 'error') {
          // a run of lost records counts once per record, so events + problems = records declared
          const records = item.scope === 'lost' ? (item.lost ?? 1) : 1;
          source.problemCount += records;
          const where = item.chunk === undefined ? '' : ` in chunk ${item.chunk}`;
          const problem: SourceProblem = { location: { file: path, offset: item.offset, record: item.recordId }, message: `${item.scope}${where}: ${item.message}` };
          if (records > 1) problem.records = records;
          if (problems.length < MAX_PROBLEMS) problems.push(problem);
          continue;
        }
        const event = item.flat!; // every reader above is asked for flat events
        if (item.nested && !Object.hasOwn(event, 'Event')) nested.attach(event, path, item.chunk, item.offset);
        yield { event, location: { file: path, record: item.recordId, offset: item.offset } };
      }
    },
  };
  return source;
}

/**
 * The EVTX reader as `openSource` takes it (`readers: { evtx: evtxReader() }`). A gzip-compressed
 * EVTX file is refused with the reason: the reader seeks to each chunk of the file itself, so it
 * would read the compressed bytes and report no EVTX signature.
 */
export function evtxReader(): ReaderFactory {
  return (path, info) => {
    if (info.compression !== 'none') throw new SourceError('UNSUPPORTED_FORMAT', path, `a ${info.compression}-compressed EVTX file: the EVTX reader needs the file itself (it reads chunks by their offsets); decompress it first (gunzip -k)`, 'evtx');
    return openEvtxSource(path);
  };
}
