// One interface for every place detections go: the terminal table, JSONL and CSV (to standard
// output or a file) and a DuckDB database, and later the HTML report and a broker. A sink takes
// detections in hunt order and is closed once; `write` returns a promise when the destination is
// busy (a slow pipe or disk), so the hunt waits instead of buffering without bound.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { HuntDetection } from '../hunt/detection.js';
import { createDetectionWriter, type DetectionFormat } from './detections-output.js';
import type { HuntInfo } from './hunt-info.js';
import { stagingFor } from './staging.js';
import { writeFile } from 'node:fs/promises';
import { HtmlReport, type HtmlReportContext } from './html-report.js';
import type { TimelineProfile } from './timeline.js';

export interface DetectionSink {
  write(d: HuntDetection): void | Promise<void>;
  /**
   * Flushes and closes the destination (never standard output itself). With `info`, a results
   * file is moved into place and its completion recorded (see `placeResults`); without it, it is
   * moved into place with no record. Resolves to the file the results are in (none for stdout).
   */
  close(info?: HuntInfo): Promise<string | undefined>;
  /** Stops without keeping anything written: the staging file is removed (the earlier result stays). */
  discard(): Promise<void>;
  /** Staging files of hunts killed outright, removed on opening (`report/staging.ts`). */
  swept: string[];
}

export type SinkFormat = DetectionFormat | 'duckdb' | 'html';
export const SINK_FORMATS: readonly SinkFormat[] = ['table', 'jsonl', 'csv', 'timesketch', 'timesketch-csv', 'html', 'duckdb'];
/** Formats that write a file and cannot go to standard output. */
export const FILE_FORMATS: readonly SinkFormat[] = ['duckdb', 'html'];

export interface SinkOptions {
  /** A file to write; standard output (or `stdout`) when absent. DuckDB needs a file. */
  output?: string;
  stdout?: Writable;
  /** The timeline profile of table, CSV and Timesketch rows (`report/timeline.ts`). */
  profile?: TimelineProfile;
  /** What the HTML report says it hunted with and in. */
  html?: HtmlReportContext;
}

export async function openDetectionSink(format: SinkFormat, opts: SinkOptions = {}): Promise<DetectionSink> {
  // A results file is written under a staging name beside it and renamed at the end, so an
  // interrupted or failed hunt never leaves a half-written file where an earlier result was.
  const staged = opts.output ? await stagingFor(opts.output) : null;
  if (format === 'duckdb') {
    if (!opts.output || !staged) throw new Error('the duckdb format writes a database file: give it a file name');
    // Loaded only when asked for: DuckDB's bindings take a noticeable part of a second to load.
    const { createDuckDbDetectionWriter } = await import('./detections-duckdb.js');
    const db = await createDuckDbDetectionWriter(staged.path);
    return {
      swept: staged.swept,
      write: (d) => db.write(d),
      async close(info) {
        try {
          await db.close(info);
        } catch (e) {
          await staged.discard();
          throw e;
        }
        return staged.place(info, 'duckdb');
      },
      async discard() {
        await db.close().catch(() => undefined);
        await staged.discard();
      },
    };
  }
  if (format === 'html') {
    if (!opts.output || !staged) throw new Error('the html format writes a report file: give it a file name');
    const report = new HtmlReport(opts.html ?? { rules: '', inputs: [] });
    return {
      swept: staged.swept,
      write: (d) => report.add(d),
      async close(info) {
        try {
          await writeFile(staged.path, report.render(info));
        } catch (e) {
          await staged.discard();
          throw e;
        }
        return staged.place(info, 'text');
      },
      discard: () => staged.discard(),
    };
  }
  const stream: Writable = staged ? createWriteStream(staged.path) : (opts.stdout ?? process.stdout);
  const owned = opts.output !== undefined;
  let failure: Error | undefined;
  stream.on('error', (e) => (failure ??= e));
  let pending = false;
  const writer = createDetectionWriter(format, (s) => {
    if (!stream.write(s)) pending = true;
  }, opts.profile);
  const end = async (): Promise<void> => {
    writer.end();
    if (failure) throw failure;
    if (!owned) return;
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : failure ? reject(failure) : resolve())));
  };
  return {
    swept: staged?.swept ?? [],
    write(d) {
      if (failure) throw failure;
      writer.write(d);
      if (!pending) return;
      pending = false;
      return new Promise<void>((resolve, reject) => {
        const done = (e?: Error) => {
          stream.off('drain', onDrain);
          stream.off('error', done);
          if (e) reject(e);
          else resolve();
        };
        const onDrain = () => done();
        stream.once('drain', onDrain);
        stream.once('error', done);
      });
    },
    async close(info) {
      try {
        await end();
      } catch (e) {
        await staged?.discard();
        throw e;
      }
      return staged?.place(info, 'text');
    },
    async discard() {
      await end().catch(() => undefined);
      await staged?.discard();
    },
  };
}
