// A small pool of worker threads that parse chunks. Jobs are answered in any order; the reader
// puts results back in file order. Pools are shared per size and kept warm between files; idle
// workers are unref'd so they never keep the process alive.
import { Worker } from 'node:worker_threads';
import type { ChunkJob } from './chunk.js';
import type { ChunkResult } from './types.js';

interface Pending { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }

export class ChunkWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ buf: Buffer; job: ChunkJob; p: Pending }> = [];
  private readonly busy = new Map<Worker, Pending>();
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./chunk-worker.js', import.meta.url));
      w.on('message', (r: ChunkResult) => this.done(w, r, null));
      w.on('error', (e) => this.done(w, null, e));
      w.unref();
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Parses a chunk in a worker; `buf` is transferred (unusable by the caller afterwards). */
  parse(buf: Buffer, job: ChunkJob): Promise<ChunkResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('worker pool closed'));
      this.queue.push({ buf, job, p: { resolve, reject } });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const { buf, job, p } = this.queue.shift()!;
      this.busy.set(w, p);
      // copy into a standalone ArrayBuffer so the transfer never detaches a shared pool slab
      const ab = new ArrayBuffer(buf.length);
      new Uint8Array(ab).set(buf);
      w.ref();
      w.postMessage({ ab, job }, [ab]);
    }
  }

  private done(w: Worker, r: ChunkResult | null, e: Error | null): void {
    const p = this.busy.get(w);
    this.busy.delete(w);
    if (e) {
      // a crashed worker is replaced; its job is reported as failed by the caller
      const i = this.workers.indexOf(w);
      const nw = new Worker(new URL('./chunk-worker.js', import.meta.url));
      nw.on('message', (res: ChunkResult) => this.done(nw, res, null));
      nw.on('error', (err) => this.done(nw, null, err));
      if (i >= 0) this.workers[i] = nw;
      w = nw;
      p?.reject(e);
    } else if (p && r) {
      p.resolve(r);
    }
    w.unref();
    if (!this.closed) { this.idle.push(w); this.pump(); }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue) q.p.reject(new Error('worker pool closed'));
    this.queue.length = 0;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const shared = new Map<number, ChunkWorkerPool>();

/** A warm pool of `size` workers, shared by all readers. */
export function sharedPool(size: number): ChunkWorkerPool {
  let p = shared.get(size);
  if (!p) shared.set(size, (p = new ChunkWorkerPool(size)));
  return p;
}

/** Terminates the shared pools (tests and benchmarks call this to end cleanly). */
export async function closeSharedPools(): Promise<void> {
  const pools = [...shared.values()];
  shared.clear();
  await Promise.all(pools.map((p) => p.close()));
}
