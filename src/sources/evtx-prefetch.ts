// EVTX files read ahead on a second thread while this one loads and compiles the rules: the way a
// DFIR user runs `quarry hunt` (every SigmaHQ Windows rule over a few EVTX files), loading the rules
// is most of the time and the second core idles. The worker (evtx-prefetch-worker.ts) lists the
// inputs as `expandInputs` does, reads the EVTX files among them (by their magic, as `openSource`
// sniffs) in that order with the same reader, rendering each record to the same flat event, and
// posts them here a chunk at a time; `openEvtxSource` then takes a file's records from here instead
// of reading it. Same records, same problems, same order: only the thread that did the work differs.
//
// Never waited for: the worker runs at the lowest priority, so on a busy machine it takes only CPU
// nobody else wants, and when the hunt needs records (or the plan) the worker has not posted yet,
// this thread closes the read-ahead and reads the rest itself, as it would without one. So the
// read-ahead can only take work off this thread, never make it wait.
//
// Bounded: only while the inputs total less than `maxInputBytes` (above it the hunt's own workers
// share the inputs out) and only the EVTX files that fit in `maxBytes` together, in input order; any
// other file is read by the hunt as usual. Events a worker posts are kept here until the hunt reaches
// them, still serialized (a message is taken off the channel only when the hunt needs its records),
// so the bound is also the memory bound.
//
// The nested record (`flat.Event`, non-enumerable, see flatten.ts) does not cross threads: as for
// records read here, `openEvtxSource` gives the event one built on first access (evtx/nested-event.ts).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { EvtxError, EvtxRecord } from './evtx/types.js';
import type { LogEvent } from './types.js';

/** EVTX bytes read ahead at most (the samples a hunt of a few files meets total 18 MB). */
export const PREFETCH_MAX_BYTES = 64 * 1024 * 1024;

/** A record read ahead: its event flat, as `readEvtx` gives it with `flat: true` (`nested`: see EvtxRecord). */
export interface PrefetchedRecord {
  kind: 'record';
  recordId: number;
  offset: number;
  chunk: number;
  flat: LogEvent;
  nested: boolean;
}

/** What a prefetched file gives: records and errors in file order, as `readEvtx` gives them. */
export type PrefetchItem = PrefetchedRecord | EvtxError;

/** Messages of the worker, in this order: `plan` once (the files it reads), then for each planned file its `items` and `end`. */
export type PrefetchMessage =
  | { t: 'plan'; files: string[] }
  | { t: 'items'; file: number; items: PrefetchItem[] }
  | { t: 'end'; file: number };

export interface PrefetchOptions {
  maxBytes?: number;
  /** Read nothing ahead when the inputs (every file, whatever its format) total this much or more. */
  maxInputBytes?: number;
  /** The worker's module (tests give one that fails). */
  script?: URL;
}

export interface PrefetchWorkerData {
  paths: string[];
  maxBytes: number;
  maxInputBytes: number;
  /** Where the worker posts its messages, taken off one at a time when the hunt needs them. */
  port: MessagePort;
}

const EVTX_MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** The file's size when it starts like an EVTX file (`openSource` sniffs the same magic), else null. */
export function evtxFileSize(path: string): number | null {
  if (path === '-') return null;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(EVTX_MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.equals(EVTX_MAGIC) ? statSync(path).size : null;
  } finally {
    closeSync(fd);
  }
}

/** Whether the inputs may hold EVTX files: a folder (the worker lists it), or a file with the EVTX magic. */
export function mayHoldEvtx(paths: string[]): boolean {
  return paths.some((p) => {
    if (p === '-') return false;
    try {
      return statSync(p).isDirectory() || evtxFileSize(p) !== null;
    } catch {
      return false;
    }
  });
}

interface Feed {
  items: PrefetchItem[];
  ended: boolean;
  taken: boolean;
}

export class EvtxPrefetch {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /**
   * Files given from the read-ahead, and of them those this thread read itself, whole or the rest,
   * because the worker was behind or stopped (for the tests).
   */
  readonly stats = { given: 0, takenOver: 0 };
  private plan: Map<string, number> | null = null;
  private feeds: Feed[] = [];
  private exited = false;
  private closed = false;
  private readonly ended: Promise<void>;

  constructor(paths: string[], options: PrefetchOptions = {}) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: PrefetchWorkerData = { paths, maxBytes: options.maxBytes ?? PREFETCH_MAX_BYTES, maxInputBytes: options.maxInputBytes ?? Infinity, port: port2 };
    this.worker = new Worker(options.script ?? new URL('./evtx-prefetch-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
    // a worker that fails ends ('exit' follows): what it posted is used, the rest read here
    this.worker.on('error', () => {});
    this.ended = new Promise((resolve) => this.worker.on('exit', () => {
      this.exited = true;
      resolve();
    }));
  }

  /** Resolves when the worker has ended (done, failed or closed): for tests that want it all read ahead. */
  finished(): Promise<void> {
    return this.ended;
  }

  /**
   * The records of `path` read ahead (records and errors in file order), or null when this file is
   * not read ahead: then the caller reads it. Each file is given once.
   */
  take(path: string): AsyncIterable<PrefetchItem | EvtxRecord | EvtxError> | null {
    this.takePlan();
    if (this.closed || !this.plan) return null;
    const index = this.plan!.get(path);
    if (index === undefined) return null;
    const feed = this.feed(index);
    if (feed.taken) return null;
    feed.taken = true;
    this.stats.given++;
    return this.drain(path, feed);
  }

  /** Takes the plan off the channel; when the worker has not posted it yet, closes the read-ahead (no waiting). */
  private takePlan(): void {
    while (!this.plan && !this.closed && this.pull());
    if (!this.plan) this.close();
  }

  /** Stops the worker (at the end of a hunt, or when the hunt's own workers take the inputs). */
  close(): void {
    // Once: each terminate() adds an 'exit' listener to the worker, and a hunt of many files that
    // outruns the read-ahead asks to close it for each (Node then warned of a listener leak).
    if (this.closed) return;
    this.closed = true;
    if (!this.exited) void this.worker.terminate();
    this.port.close();
  }

  private async *drain(path: string, feed: Feed): AsyncGenerator<PrefetchItem | EvtxRecord | EvtxError> {
    let given = 0;
    for (;;) {
      if (feed.items.length) {
        const items = feed.items;
        feed.items = [];
        for (const item of items) {
          given++;
          yield item;
        }
        continue;
      }
      if (feed.ended) return;
      if (!this.closed && this.pull()) continue;
      // The worker is behind, stopped part-way, or the read-ahead was closed: no waiting, the rest
      // of this file (and every later one) is read here, the same reader skipping what was given.
      this.close();
      this.stats.takenOver++;
      const { readEvtx } = await import('./evtx/reader.js');
      let k = 0;
      for await (const item of readEvtx(path, { workers: 0, flat: true })) if (k++ >= given) yield item;
      return;
    }
  }

  /** Takes one message off the channel; false when there is none yet. */
  private pull(): boolean {
    const m = receiveMessageOnPort(this.port);
    if (!m) return false;
    this.receive(m.message as PrefetchMessage);
    return true;
  }

  private feed(index: number): Feed {
    return (this.feeds[index] ??= { items: [], ended: false, taken: false });
  }

  private receive(m: PrefetchMessage): void {
    if (m.t === 'plan') {
      this.plan = new Map(m.files.map((f, i) => [f, i]));
    } else if (m.t === 'end') this.feed(m.file).ended = true;
    else this.feed(m.file).items.push(...m.items);
  }
}
