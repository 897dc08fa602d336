// Runs the playground in a Web Worker with a time budget. A worker cannot be interrupted, only
// ended: a run that overruns the budget (a catastrophically backtracking regex) or that a newer
// input makes stale ends its worker, and the next run starts a fresh one.
import type { PlaygroundInput, PlaygroundResult } from '../../src/playground/run.js';

export type PlaygroundOutcome = { result: PlaygroundResult } | { crash: string } | { timedOut: number };

/** How long one run (matching and translations) may take once the worker has loaded. */
export const PLAYGROUND_BUDGET_MS = 3000;

export class PlaygroundRunner {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private busy = false;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly budgetMs = PLAYGROUND_BUDGET_MS) {}

  private start(): { worker: Worker; ready: Promise<void> } {
    const worker = new Worker(new URL('./playground-worker.ts', import.meta.url), { type: 'module' });
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (e: MessageEvent) => {
        if (!(e.data as { ready?: boolean }).ready) return;
        worker.removeEventListener('message', onMessage);
        resolve();
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', (e) => reject(new Error(e.message || 'the playground worker could not start')), { once: true });
    });
    this.worker = worker;
    this.ready = ready;
    return { worker, ready };
  }

  private end(): void {
    clearTimeout(this.timer);
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
    this.busy = false;
  }

  /** Runs `input`; `done` gets its outcome unless a later run() supersedes it first. */
  run(input: PlaygroundInput, done: (o: PlaygroundOutcome) => void): void {
    // A run still in progress is stale: its worker may be stuck, so end it.
    if (this.busy) this.end();
    const id = ++this.seq;
    const { worker, ready } = this.worker && this.ready ? { worker: this.worker, ready: this.ready } : this.start();
    this.busy = true;
    ready.then(
      () => {
        if (id !== this.seq) return;
        worker.onmessage = (e: MessageEvent<{ id: number; outcome: PlaygroundOutcome }>) => {
          if (e.data.id !== id || id !== this.seq) return;
          clearTimeout(this.timer);
          this.busy = false;
          done(e.data.outcome);
        };
        this.timer = setTimeout(() => {
          if (id !== this.seq) return;
          this.end();
          done({ timedOut: this.budgetMs });
        }, this.budgetMs);
        worker.postMessage({ id, input });
      },
      (e: Error) => {
        if (id !== this.seq) return;
        this.end();
        done({ crash: e.message });
      },
    );
  }

  dispose(): void {
    this.seq++;
    this.end();
  }
}
