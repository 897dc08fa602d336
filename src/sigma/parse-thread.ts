// Parsing a corpus on both cores. A cold load of thousands of rule files is almost all YAML
// parsing and checking, one file independent of the next: a second thread (parse-worker.ts) parses
// beside this one. Both take the next few files from one shared counter until none are left, so
// neither waits on a fixed split (the second thread starts a few hundred milliseconds late, and
// files differ in size). The second thread sends each parse back as a structured clone, without
// the YAML trees (as the rule cache keeps them), and this thread puts it in its place: the result
// is the listing's order whichever thread parsed a file.
//
// Synchronous, as loading is: this thread sleeps on an Atomics counter that the other bumps after
// each message. A second thread that cannot start, fails, or stops answering leaves its files to
// this one (a file it took but never answered is parsed here), so nothing is lost and no error
// comes of it.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ParsedFile } from './collection.js';
import type { FileStatus } from './rule-cache.js';

/** Files taken at a time from the shared counter: few enough to share out evenly, enough to keep messages few. */
export const PARSE_CHUNK = 8;
/** Below this many files to parse, one thread is done before a second one could start. */
export const PARALLEL_MIN_FILES = 200;
/** How long without a message before the second thread is given up on (a file takes a millisecond or so). */
const STALL_MS = 15_000;

/** The shared counters: the next file to take, and how many messages the second thread has posted. */
export const NEXT = 0;
export const POSTED = 1;

/** What the parsing thread sends back for one file: the parse, and the hash and status to keep it under. */
export interface ThreadParse {
  k: number;
  parsed: ParsedFile;
  /** Absent when the file could not be read (`parsed` then says why). */
  hash?: string;
  status?: FileStatus;
}

export type ParseThreadMessage = { type: 'parsed'; items: ThreadParse[] } | { type: 'failed'; message: string };

export interface ParseWorkerData {
  files: string[];
  counters: SharedArrayBuffer;
  port: MessagePort;
}

/** For tests: another script for the second thread, a shorter wait before giving up on it. */
export interface ParseThreadOptions {
  script?: URL;
  stallMs?: number;
}

/**
 * Parses `files` on this thread (`here(k)`) and a second one (`there(k, parse)`), each file once;
 * returns how many the second thread parsed. Null when there are too few files, one processor, or
 * no thread could be started: the caller then parses them all itself.
 */
export function parseOnTwoThreads(files: string[], here: (k: number) => void, there: (k: number, r: ThreadParse) => void, opts: ParseThreadOptions = {}): number | null {
  if (files.length < PARALLEL_MIN_FILES || availableParallelism() < 2) return null;
  const counters = new SharedArrayBuffer(8);
  const shared = new Int32Array(counters);
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    const data: ParseWorkerData = { files, counters, port: port2 };
    worker = new Worker(opts.script ?? new URL('./parse-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
  } catch {
    return null;
  }
  worker.unref();
  // A thread that fails to start or dies only leaves its files to this one (below): never an error of the load.
  worker.on('error', () => {});
  const settled = new Uint8Array(files.length);
  let failed = false;
  let parsedThere = 0;
  const receive = (): boolean => {
    const m = receiveMessageOnPort(port1);
    if (!m) return false;
    const message = m.message as ParseThreadMessage;
    if (message.type === 'failed') failed = true;
    else
      for (const r of message.items) {
        settled[r.k] = 1;
        parsedThere++;
        there(r.k, r);
      }
    return true;
  };
  try {
    for (;;) {
      const start = Atomics.add(shared, NEXT, PARSE_CHUNK);
      if (start >= files.length) break;
      for (let k = start; k < Math.min(start + PARSE_CHUNK, files.length); k++) {
        here(k);
        settled[k] = 1;
      }
      while (receive()); // its parses as they come, rather than all at the end
    }
    // Every file is taken; wait for those the other thread took.
    let waited = 0;
    while (!failed && settled.includes(0)) {
      const posted = Atomics.load(shared, POSTED);
      if (receive()) continue;
      const t0 = performance.now();
      if (Atomics.wait(shared, POSTED, posted, 100) === 'timed-out') {
        waited += performance.now() - t0;
        if (waited > (opts.stallMs ?? STALL_MS)) break;
      } else waited = 0;
    }
    while (receive());
  } finally {
    port1.close();
    void worker.terminate();
  }
  for (let k = 0; k < files.length; k++) if (!settled[k]) here(k);
  return parsedThere;
}
