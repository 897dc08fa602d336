// Where the service writes detections, one JSON line each (the shape of `quarry hunt --format jsonl`):
// standard output (written as they come), a file (appended, fsync'd on a timer, so a crash loses at
// most one interval of what the kernel had not yet written), or a webhook (batches POSTed with
// retries: at-least-once, a batch whose answer was lost is sent again).
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { Logger } from './log.js';

export interface LiveOutput {
  /** Resolves once the line is accepted (written, or queued within the output's bound). */
  write(line: string): Promise<void>;
  /** Flushes and releases the output; resolves when everything written is delivered (or given up). */
  close(): Promise<void>;
  /** Detections given up (the webhook after its retries). */
  readonly dropped: number;
  readonly name: string;
}

export function openLiveOutput(spec: string | undefined, opts: { fsyncMs: number; webhook: WebhookOptions; log: Logger }): LiveOutput {
  if (!spec || spec === '-') return streamOutput(process.stdout, 'standard output');
  if (/^https?:\/\//i.test(spec)) return webhookOutput(spec, opts.webhook, opts.log);
  return fileOutput(spec, opts.fsyncMs);
}

function streamOutput(stream: NodeJS.WritableStream, name: string): LiveOutput {
  return {
    name,
    dropped: 0,
    write: (line) => (stream.write(line + '\n') ? Promise.resolve() : new Promise((r) => stream.once('drain', () => r()))),
    close: () => Promise.resolve(),
  };
}

/** Appends; the data reaches the disk at least every `fsyncMs` and at close. */
export function fileOutput(path: string, fsyncMs: number): LiveOutput {
  const fd = openSync(path, 'a');
  let dirty = false;
  const sync = () => {
    if (!dirty) return;
    dirty = false;
    fsyncSync(fd);
  };
  const timer = setInterval(sync, fsyncMs);
  timer.unref();
  return {
    name: path,
    dropped: 0,
    async write(line) {
      writeSync(fd, line + '\n');
      dirty = true;
    },
    async close() {
      clearInterval(timer);
      sync();
      closeSync(fd);
    },
  };
}

export interface WebhookOptions {
  /** Attempts per batch before its detections are given up (counted and logged). */
  attempts: number;
  /** First wait between attempts (doubles each time). */
  backoffMs: number;
  /** Detections per POST. */
  batch: number;
  /** Detections waiting for delivery before `write` waits (back-pressure on the event loop). */
  maxPending: number;
  timeoutMs: number;
}

/**
 * POSTs detections as NDJSON. 2xx delivers; 408, 429, 5xx and network errors are retried with
 * doubling waits; any other status is a refusal that retrying cannot change (given up at once).
 */
export function webhookOutput(url: string, o: WebhookOptions, log: Logger): LiveOutput {
  const pending: string[] = [];
  let dropped = 0;
  let sending: Promise<void> | null = null;
  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  async function deliver(lines: string[]): Promise<void> {
    const body = lines.join('\n') + '\n';
    let wait = o.backoffMs;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body, signal: AbortSignal.timeout(o.timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        reason = `HTTP ${res.status}`;
        if (!(res.status === 408 || res.status === 429 || res.status >= 500)) {
          dropped += lines.length;
          log('error', 'webhook refused detections; not retried', { url, status: res.status, detections: lines.length });
          return;
        }
      } catch (e) {
        reason = (e as Error).message;
      }
      if (attempt >= o.attempts) {
        dropped += lines.length;
        log('error', 'webhook delivery failed; detections given up', { url, attempts: attempt, reason, detections: lines.length });
        return;
      }
      log('warn', 'webhook delivery failed; retrying', { url, attempt, reason, retryInMs: wait });
      await new Promise((r) => setTimeout(r, wait));
      wait *= 2;
    }
  }

  function pump(): void {
    if (sending || !pending.length) return;
    sending = (async () => {
      while (pending.length) {
        const lines = pending.splice(0, o.batch);
        await deliver(lines);
        wake();
      }
      sending = null;
    })();
  }

  return {
    name: url,
    get dropped() {
      return dropped;
    },
    async write(line) {
      while (pending.length >= o.maxPending) await new Promise<void>((r) => waiters.push(r));
      pending.push(line);
      pump();
    },
    async close() {
      pump();
      while (sending) await sending;
    },
  };
}
