// A hunting worker thread (parallel-hunt.ts starts it): builds the hunt's rules from the recipe (the
// rule paths loaded again, or the documents cloned) and says from which documents (their
// fingerprint, which the hunt checks against its own), then reads and matches the shares it is
// given, one after the other, and sends back hits (events that met a rule) in batches, never the
// other events. A share that fails (a read error, a bug) is
// answered with its error, which the hunt raises where the one-thread hunt would have.
import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from '../engine/detector.js';
import { re2Regex, re2RegexCached } from '../engine/regex-re2.js';
import { ruleCacheDir } from '../sigma/rule-cache.js';
import { rulesFromRecipe, type HuntRulesRecipe } from './setup.js';
import { huntShare, openShare, ruleSetSignature, type Batch } from './share-hunt.js';
import type { Share } from './shares.js';
import type { SourceProblem } from '../sources/types.js';

export interface HuntWorkerData {
  recipe: HuntRulesRecipe;
}

/** The hunt's detector options (known only when it starts; the worker may start before). */
export interface ShareDetectorOptions {
  explain?: boolean;
  timeField?: string;
}

/** Worker → hunt. */
export type HuntWorkerMessage =
  | { type: 'ready'; fingerprint: string }
  | { type: 'batch'; share: number; signature: string; batch: Batch }
  | { type: 'done'; share: number; problems: SourceProblem[]; problemCount: number }
  | { type: 'failed'; share: number; error: { name: string; message: string; stack?: string } };

/** Hunt → worker: a share to hunt (the hunt terminates the worker when it has no more). */
export interface HuntWorkerOrder {
  type: 'share';
  share: Share;
  detector: ShareDetectorOptions;
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as HuntWorkerData;
  // The patterns RE2 accepted, read as the rule cache is (this thread never writes either).
  const cached = 'paths' in data.recipe.rules && data.recipe.rules.cache;
  const { book, fingerprint } = rulesFromRecipe(data.recipe, re2RegexCached(cached ? ruleCacheDir() : null, { write: false }));
  const queue: HuntWorkerOrder[] = [];
  let running = false;
  const post = (m: HuntWorkerMessage) => port.postMessage(m);

  const run = async ({ share, detector: o }: HuntWorkerOrder): Promise<void> => {
    const source = await openShare(share);
    const set = book.forFormat(source.pipeline).set;
    const signature = ruleSetSignature(set);
    const detector = new Detector(set, { regex: re2Regex, logsource: share.logsource, explain: o.explain, timeField: o.timeField });
    for await (const batch of huntShare(source, detector)) {
      post({ type: 'batch', share: share.id, signature, batch });
    }
    post({ type: 'done', share: share.id, problems: source.problems, problemCount: source.problemCount });
  };

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    while (queue.length) {
      const order = queue.shift()!;
      const share = order.share;
      try {
        await run(order);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        post({ type: 'failed', share: share.id, error: { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) } });
      }
    }
    running = false;
  };

  port.on('message', (order: HuntWorkerOrder) => {
    queue.push(order);
    void drain();
  });
  post({ type: 'ready', fingerprint });
}
