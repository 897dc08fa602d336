// How a hunt's inputs are cut into shares for several threads (parallel-hunt.ts), and how many
// threads pay. A share is a whole input, or a run of chunks of a big EVTX file (chunks are
// self-describing, so any thread can parse any run of them); shares are numbered in input order, then
// chunk order, which is the order their detections are reported in.
import { statSync } from 'node:fs';
import os from 'node:os';
import type { LogSource } from '../sigma/model.js';
import { evtxChunkSlots } from '../sources/evtx-source.js';
import type { SourceFormat } from '../sources/types.js';
import type { HuntInput } from './hunt.js';

export interface Share {
  /** Place in the hunt's order. */
  id: number;
  /** The input's index in the hunt's inputs. */
  input: number;
  file: string;
  format: SourceFormat;
  /** The input's declared or implied log source, as the one-thread hunt gives its detector. */
  logsource?: LogSource;
  /** Only these EVTX chunk slots (absent: the whole input). */
  chunks?: { from: number; to: number };
  /** Whether this is the input's last share (its summary is complete after it). */
  last: boolean;
  /** Only the hunt's own thread can read it (standard input, already opened there). */
  local: boolean;
}

/** What cutting an input into shares needs to know of it. */
export type ShareableInput = Pick<HuntInput, 'source' | 'logsource'>;

/** Chunk slots (64 KiB each) per share of a big EVTX file: about 4 MB, a few thousand records. */
export const EVTX_CHUNKS_PER_SHARE = 64;

/**
 * Cuts the inputs into shares for `threads` hunters. The last input's chunk runs get shorter towards
 * its end (each half of what is left per thread, down to an eighth of a full share), so that
 * the hunters finish together: a full share held by one thread at the end would leave the others
 * idle for up to a share's time.
 */
export function planShares(inputs: readonly ShareableInput[], chunksPerShare = EVTX_CHUNKS_PER_SHARE, threads = 1): Share[] {
  const shares: Share[] = [];
  const smallest = Math.max(1, Math.ceil(chunksPerShare / 8));
  for (const [index, input] of inputs.entries()) {
    const { name: file, format } = input.source;
    const base = { input: index, file, format, ...(input.logsource ? { logsource: input.logsource } : {}), local: file === '-' };
    const slots = format === 'evtx' ? evtxChunkSlots(sizeOf(file)) : 0;
    if (slots <= chunksPerShare * 1.5) {
      shares.push({ id: shares.length, ...base, last: true });
      continue;
    }
    const tapered = threads > 1 && index === inputs.length - 1;
    for (let from = 0; from < slots; ) {
      const run = tapered ? Math.min(chunksPerShare, Math.max(smallest, Math.ceil((slots - from) / (2 * threads)))) : chunksPerShare;
      // a remainder shorter than the smallest run goes with this one
      const to = slots - (from + run) < smallest ? slots : from + run;
      shares.push({ id: shares.length, ...base, chunks: { from, to }, last: to === slots });
      from = to;
    }
  }
  return shares;
}

/**
 * Input bytes from which `--workers` is on by default. A worker pays before it hunts: with every
 * SigmaHQ Windows rule and a warm rule cache, about 0.9 s of its own CPU (start, load, compile) and
 * 0.7 s more of V8 optimizing the same code again in its isolate, beside this thread doing the same;
 * hunting EVTX costs about 40 ms of CPU a MB. On two idle cores that is won back from about 50 MB,
 * but this project's two-core machine is shared: at load ~2, 2 threads gave 1.24× the whole process
 * at 128 MB and were slower at 100 MB; at load 11–15 they were slower even at 128 MB (README,
 * bench/hunt-workers.ts, which prints where the CPU goes). 192 MB keeps the default where it pays.
 */
export const AUTO_WORKERS_MIN_BYTES = 192 * 1024 * 1024;

/**
 * How many threads hunt: `requested` when given (1: this thread alone), else one per idle processor
 * when the inputs are big enough to pay (see above) and can be shared, else 1. Processors other work
 * keeps busy (the one-minute load average, as `make -l` reads it) are not counted: a worker started
 * beside them only competes for the same core and pays its start-up for nothing (measured: at load
 * 11–20 on two cores, two threads were slower than one at every size).
 */
export function huntThreads(requested: number | undefined, inputs: readonly ShareableInput[], cpus = os.availableParallelism(), load = os.loadavg()[0]!): number {
  if (requested !== undefined) return Math.max(1, requested);
  const idle = cpus - Math.floor(Math.max(0, load));
  if (idle < 2) return 1;
  const bytes = inputs.reduce((n, i) => n + sizeOf(i.source.name), 0);
  if (bytes < AUTO_WORKERS_MIN_BYTES) return 1;
  const shares = planShares(inputs, EVTX_CHUNKS_PER_SHARE, idle).filter((s) => !s.local).length;
  return Math.max(1, Math.min(idle, shares));
}

function sizeOf(file: string): number {
  if (file === '-') return 0;
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
