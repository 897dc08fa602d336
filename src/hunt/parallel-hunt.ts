// The hunt on several threads: this thread and `threads − 1` workers (hunt-worker.ts) each read and
// match whole shares of the inputs (shares.ts: whole files, or runs of chunks of a big EVTX file),
// and only the events that met a rule come back. This thread puts the hits back in share order and
// hands each to the same bookkeeping as the one-thread hunt (tally.ts), so detections, their order,
// the correlator's feed (every base match, in the one-thread order), counts and problems are the
// one-thread hunt's.
//
// Scheduling: shares are taken in order by whoever is free, a worker holding up to two so it never
// waits for this thread, which is busy hunting its own share and answers between batches. A worker
// builds the rules first (under a second with the rule cache, beside this thread's own loading);
// this thread hunts meanwhile, so on small inputs the workers may get nothing to do. A worker whose
// rules were built from other documents than this thread's (a rule file changed between the two
// loads) is let go before it takes a share, and the others (this thread at least) hunt without it.
// A share's failure (read error) is raised when the merge reaches it, after every earlier
// detection, as the one-thread hunt raises it; a worker that dies fails its shares the same way,
// with what it was hunting; nothing is dropped quietly. The last input's runs of EVTX chunks get
// shorter towards its end (shares.ts), so that no thread is left with a long share while the others
// have nothing to do.
import { Detector } from '../engine/detector.js';
import type { CompiledRuleSet } from '../engine/rule-set.js';
import { MAX_PROBLEMS, openEvtxSource } from '../sources/evtx-source.js';
import type { SourceProblem } from '../sources/types.js';
import type { HuntInput, HuntOptions, HuntSummary, HuntWorkers, InputSummary } from './hunt.js';
import type { HuntWorkerOrder, ShareDetectorOptions } from './hunt-worker.js';
import { HuntWorkerPool, type HuntThread } from './worker-pool.js';
import { hitMatches, huntShare, ruleSetSignature, type Batch } from './share-hunt.js';
import { EVTX_CHUNKS_PER_SHARE, planShares, type Share } from './shares.js';
import { HuntTally } from './tally.js';
import { documentsFingerprint } from './setup.js';

/** Shares a worker holds at once: the one it hunts and the next, so it never waits for this thread. */
const PREFETCH = 2;

interface ShareState {
  batches: Array<{ batch: Batch; signature: string }>;
  taken: boolean;
  done: boolean;
  problems: SourceProblem[];
  problemCount: number;
  failure?: Error;
}

export async function huntInParallel(defaultSet: CompiledRuleSet, inputs: HuntInput[], opts: HuntOptions, workers: HuntWorkers): Promise<HuntSummary> {
  const tally = new HuntTally(opts);
  const chunksPerShare = workers.chunksPerShare ?? EVTX_CHUNKS_PER_SHARE;
  const shares = planShares(inputs, chunksPerShare, workers.threads);
  const states: ShareState[] = shares.map(() => ({ batches: [], taken: false, done: false, problems: [], problemCount: 0 }));
  const setOf = (share: Share) => inputs[share.input]!.set ?? defaultSet;
  let stop = false; // no share is handed out any more (a failure)
  let crash: Error | undefined; // a worker died holding no share
  let news = false;
  let waiting: (() => void) | null = null;
  const wake = () => {
    news = true;
    const w = waiting;
    waiting = null;
    w?.();
  };
  const nextNews = () => (news ? Promise.resolve() : new Promise<void>((r) => (waiting = r))).then(() => void (news = false));
  opts.signal?.addEventListener('abort', wake);

  let firstFree = 0;
  /** The first share not taken yet that `who` can hunt (this thread takes only what it must if it does not hunt). */
  const take = (who: 'worker' | 'here'): number => {
    if (stop) return -1;
    while (firstFree < shares.length && states[firstFree]!.taken) firstFree++;
    for (let k = firstFree; k < shares.length; k++) {
      const local = shares[k]!.local;
      if (states[k]!.taken || (who === 'worker' ? local : !local && workers.hereToo === false && threads.some((t) => !t.retired))) continue;
      states[k]!.taken = true;
      return k;
    }
    return -1;
  };

  // --- the workers
  const wanted = Math.min(workers.threads - 1, shares.filter((s) => !s.local).length);
  const pool = workers.pool ?? new HuntWorkerPool(workers.rules, wanted, workers.script);
  const threads = pool.threads;
  const fingerprint = workers.fingerprint ?? ('documents' in workers.rules.rules ? documentsFingerprint(workers.rules.rules.documents) : undefined);
  if (!fingerprint) throw new Error('hunt workers that load rule paths need the fingerprint of the collection this thread loaded');
  const detector: ShareDetectorOptions = { ...(opts.explain !== undefined ? { explain: opts.explain } : {}), ...(opts.timeField ? { timeField: opts.timeField } : {}) };
  const fill = (t: HuntThread) => {
    // Near the end a whole share held in advance could leave this thread idle while the worker still
    // has two to do; the tapered runs at the end of a big file are short enough to hold ahead, and
    // holding one ahead spares the worker a wait for this thread's next batch between two of them.
    const next = shares[firstFree];
    const short = next?.chunks !== undefined && next.chunks.to - next.chunks.from < chunksPerShare;
    const depth = short || shares.length - firstFree > 2 * PREFETCH * (threads.length + 1) ? PREFETCH : 1;
    while (!t.died && !t.retired && t.ready && t.held.length < depth) {
      const k = take('worker');
      if (k < 0) return;
      t.held.push(k);
      t.worker.postMessage({ type: 'share', share: shares[k]!, detector } satisfies HuntWorkerOrder);
    }
  };
  pool.listen({
    died(t, e) {
      stop = true;
      for (const k of t.held) {
        const s = shares[k]!;
        states[k]!.failure = new Error(`the worker thread hunting ${s.file}${s.chunks ? ` (chunks ${s.chunks.from}–${s.chunks.to - 1})` : ''} stopped: ${e.message}`);
      }
      if (!t.held.length) crash = new Error(`a hunting worker thread stopped: ${e.message}`);
      t.held = [];
      wake();
    },
    message(t, m) {
      if (m.type === 'ready') {
        if (m.fingerprint === fingerprint) fill(t);
        else pool.retire(t);
      } else if (m.type === 'batch') states[m.share]!.batches.push({ batch: m.batch, signature: m.signature });
      else {
        const st = states[m.share]!;
        t.held = t.held.filter((k) => k !== m.share);
        if (m.type === 'done') {
          st.problems = m.problems;
          st.problemCount = m.problemCount;
          st.done = true;
        } else {
          st.failure = Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack });
          stop = true;
        }
        fill(t);
      }
      wake();
    },
  });

  // --- the merge, in share order
  let head = 0;
  let current: InputSummary | null = null;
  const apply = async (share: Share, { batch, signature }: { batch: Batch; signature: string }, s: InputSummary) => {
    const set = setOf(share);
    if (signature !== ruleSetSignature(set)) throw new Error(`a hunting worker thread built other rules (${signature}) than this hunt (${ruleSetSignature(set)}) for ${share.file}`);
    tally.events(s, batch.events, share.input, inputs.length);
    s.routing.windows += batch.routing.windows;
    s.routing.declared += batch.routing.declared;
    s.routing.unknown += batch.routing.unknown;
    for (const hit of batch.hits) await tally.matched(hitMatches(hit, set), { event: hit.event, location: hit.location }, s);
  };
  const emitReady = async () => {
    while (head < shares.length) {
      const share = shares[head]!;
      const st = states[head]!;
      const s = (current ??= tally.startInput(inputs[share.input]!.source));
      // also once stopped: what was found before the signal, in order up to the first share not
      // finished, is reported, as the one-thread hunt reports every event it read
      while (st.batches.length) await apply(share, st.batches.shift()!, s);
      if (st.failure) throw st.failure;
      if (!st.done) return;
      if (!share.chunks) s.problems = st.problems;
      else for (const p of st.problems) if (s.problems.length < MAX_PROBLEMS) s.problems.push(p);
      s.problemCount += st.problemCount;
      if (share.last) {
        tally.endInput(s);
        current = null;
      }
      head++;
    }
  };

  // --- this thread's own shares
  const runLocal = async (k: number) => {
    const share = shares[k]!;
    const st = states[k]!;
    try {
      const source = share.chunks ? openEvtxSource(share.file, { chunks: share.chunks }) : inputs[share.input]!.source;
      const set = setOf(share);
      const signature = ruleSetSignature(set);
      const detector = new Detector(set, { regex: opts.regex, logsource: share.logsource, explain: opts.explain, timeField: opts.timeField });
      for await (const batch of huntShare(source, detector, opts.signal)) {
        st.batches.push({ batch, signature });
        // what is ready goes out now, this share's or the workers' earlier ones, not after this share
        await emitReady();
        await new Promise<void>((r) => setImmediate(r)); // let the workers' messages in
      }
      st.problems = source.problems;
      st.problemCount = source.problemCount;
      st.done = true;
    } catch (e) {
      st.failure = e instanceof Error ? e : new Error(String(e));
      stop = true;
    }
  };

  try {
    for (;;) {
      if (crash) throw crash;
      await emitReady();
      if (opts.signal?.aborted || head >= shares.length) break;
      const k = take('here');
      if (k >= 0) await runLocal(k);
      else await nextNews();
    }
  } finally {
    opts.signal?.removeEventListener('abort', wake);
    await pool.terminate();
  }
  if (opts.signal?.aborted) {
    if (current) tally.endInput(current);
    tally.summary.interrupted = true;
    return tally.summary;
  }
  return tally.finish();
}
