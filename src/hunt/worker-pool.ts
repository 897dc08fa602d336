// The worker threads of a hunt on several threads, started as soon as the rules are known (setup.ts)
// so that they build their rules while this thread compiles its own, opens the inputs and prints the
// banner: by the time the hunt begins they are ready or nearly. Idle workers are unref'd, so a hunt
// that never runs (no rule can run, no input) does not keep the process alive. Messages that come
// before the hunt listens (a worker ready, a worker dead) are kept for it. A worker the hunt cannot
// use (it built other rules) is retired: ended without being reported as dead.
import { Worker } from 'node:worker_threads';
import type { HuntWorkerMessage } from './hunt-worker.js';
import type { HuntRulesRecipe } from './setup.js';

export interface HuntThread {
  worker: Worker;
  /** The shares it holds (hunting the first), in order. */
  held: number[];
  /** Its rules are built, from the documents of this fingerprint. */
  ready?: { fingerprint: string };
  /** Ended by the hunt (see `retire`): it takes no share. */
  retired?: boolean;
  /** Why it stopped, when it did without being told to. */
  died?: Error;
}

export interface PoolListener {
  message(t: HuntThread, m: HuntWorkerMessage): void;
  died(t: HuntThread, e: Error): void;
}

export class HuntWorkerPool {
  readonly threads: HuntThread[] = [];
  private listener: PoolListener | null = null;
  private ending = false;

  /** `count` workers building the rules of `recipe` (`script`: another worker module, for tests). */
  constructor(recipe: HuntRulesRecipe, count: number, script?: URL) {
    for (let i = 0; i < count; i++) {
      const t: HuntThread = { worker: new Worker(script ?? new URL('./hunt-worker.js', import.meta.url), { workerData: { recipe } }), held: [] };
      t.worker.unref();
      t.worker.on('message', (m: HuntWorkerMessage) => {
        if (m.type === 'ready') t.ready = { fingerprint: m.fingerprint };
        this.listener?.message(t, m);
      });
      t.worker.on('error', (e) => this.died(t, e));
      t.worker.on('exit', (code) => this.died(t, new Error(`exited with code ${code}`)));
      this.threads.push(t);
    }
  }

  /** The hunt listens from now on; the workers keep the process alive while it does. */
  listen(listener: PoolListener): void {
    this.listener = listener;
    for (const t of this.threads) {
      t.worker.ref();
      if (t.died) listener.died(t, t.died);
      else if (t.ready) listener.message(t, { type: 'ready', ...t.ready });
    }
  }

  /** Ends one worker (it holds no share) without reporting it as dead. */
  retire(t: HuntThread): void {
    t.retired = true;
    void t.worker.terminate();
  }

  async terminate(): Promise<void> {
    this.ending = true;
    this.listener = null;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private died(t: HuntThread, e: Error): void {
    if (this.ending || t.died || t.retired) return;
    t.died = e;
    this.listener?.died(t, e);
  }
}
