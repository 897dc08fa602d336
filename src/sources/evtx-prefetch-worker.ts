// The EVTX read-ahead thread (evtx-prefetch.ts): lists the inputs, plans the EVTX files it reads,
// then reads them in order with the hunt's own reader, rendering flat events, a chunk of records a message.
import { readlinkSync, statSync } from 'node:fs';
import os from 'node:os';
import { workerData } from 'node:worker_threads';
import { readEvtx } from './evtx/reader.js';
import { expandInputs } from './open-source.js';
import { evtxFileSize, type PrefetchItem, type PrefetchMessage, type PrefetchWorkerData } from './evtx-prefetch.js';

/** Items a message carries at most: about a chunk's records, so the hunt can start on the first ones. */
const BATCH = 128;

const data = workerData as PrefetchWorkerData;
const post = (m: PrefetchMessage) => data.port.postMessage(m);

// The lowest priority: on a busy machine this thread takes only CPU nobody else wants (the hunt never
// waits for it). Linux takes a thread's id for setpriority; elsewhere the thread keeps its priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, 19);
} catch {
  // no /proc (not Linux) or not allowed: the read-ahead works the same, at normal priority
}

function sizeOf(path: string): number {
  try {
    return path === '-' ? 0 : statSync(path).size;
  } catch {
    return 0;
  }
}

const { files } = await expandInputs(data.paths, { recursive: true });
const plan: string[] = [];
if (files.reduce((n, f) => n + sizeOf(f), 0) < data.maxInputBytes) {
  let bytes = 0;
  for (const f of files) {
    const size = evtxFileSize(f);
    if (size === null) continue;
    if (bytes + size > data.maxBytes) break;
    bytes += size;
    plan.push(f);
  }
}
post({ t: 'plan', files: plan });

for (const [file, path] of plan.entries()) {
  let items: PrefetchItem[] = [];
  for await (const item of readEvtx(path, { workers: 0, flat: true })) {
    if (item.kind === 'error') items.push(item);
    else items.push({ kind: 'record', recordId: item.recordId, offset: item.offset, chunk: item.chunk, flat: item.flat!, nested: item.nested! });
    if (items.length >= BATCH) {
      post({ t: 'items', file, items });
      items = [];
    }
  }
  if (items.length) post({ t: 'items', file, items });
  post({ t: 'end', file });
}
