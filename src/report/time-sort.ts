// Detections in event-time order across all inputs, in bounded memory: detections are kept in
// memory up to `runSize`; each full run is sorted and written to a temporary file (one JSON line
// per detection, 64-bit integers kept exact), and the end merges the runs. Memory holds one run
// plus one line per spilled run, whatever the hunt's size. Detections without a time come last,
// in hunt order; equal times keep hunt order (the sort is stable through a sequence number).
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { HuntDetection } from '../hunt/detection.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { parseJson } from '../json/parse-exact.js';

interface Entry {
  at: number;
  seq: number;
  d: HuntDetection;
}

export const DEFAULT_RUN_SIZE = 20_000;

const timeOf = (d: HuntDetection): number => {
  const t = d.timestamp ? Date.parse(d.timestamp) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
};
const before = (a: Entry, b: Entry) => a.at - b.at || a.seq - b.seq;

export class TimeSorter {
  private run: Entry[] = [];
  private seq = 0;
  private dir: string | undefined;
  private readonly files: string[] = [];

  constructor(private readonly runSize = DEFAULT_RUN_SIZE) {}

  /** How many runs went to disk (0: everything fitted in memory). */
  get spilled(): number {
    return this.files.length;
  }

  async add(d: HuntDetection): Promise<void> {
    this.run.push({ at: timeOf(d), seq: this.seq++, d });
    if (this.run.length >= this.runSize) await this.spill();
  }

  private async spill(): Promise<void> {
    this.run.sort(before);
    this.dir ??= mkdtempSync(join(tmpdir(), 'quarry-sort-'));
    const file = join(this.dir, `run-${this.files.length}.jsonl`);
    const out = createWriteStream(file);
    // at and seq travel with the detection so the merge needs no re-parsing of times; lines go
    // out in batches (one write per line spends its time in system calls)
    let batch: string[] = [];
    const flush = async () => {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch = [];
    };
    for (const e of this.run) {
      batch.push(`${e.at === Number.POSITIVE_INFINITY ? 'null' : e.at} ${e.seq} ${stringifyExact(e.d)}\n`);
      if (batch.length === 512) await flush();
    }
    if (batch.length) await flush();
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    this.files.push(file);
    this.run = [];
  }

  /** Every detection added, oldest first; removes the temporary files when done (or abandoned). */
  async *drain(): AsyncGenerator<HuntDetection> {
    this.run.sort(before);
    try {
      if (!this.files.length) {
        for (const e of this.run) yield e.d;
        return;
      }
      const heads: Array<{ next(): Promise<Entry | undefined> }> = this.files.map((f) => runReader(f));
      const memory = this.run.values();
      heads.push({ next: async () => memory.next().value });
      const current = await Promise.all(heads.map((h) => h.next()));
      // k-way merge by linear scan: k is the number of runs (hunt size / runSize), small in practice
      for (;;) {
        let best = -1;
        for (let i = 0; i < current.length; i++) if (current[i] && (best < 0 || before(current[i]!, current[best]!) < 0)) best = i;
        if (best < 0) return;
        yield current[best]!.d;
        current[best] = await heads[best]!.next();
      }
    } finally {
      this.run = [];
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

function runReader(file: string): { next(): Promise<Entry | undefined> } {
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })[Symbol.asyncIterator]();
  return {
    async next() {
      const r = await lines.next();
      if (r.done) return undefined;
      const line: string = r.value;
      const a = line.indexOf(' ');
      const b = line.indexOf(' ', a + 1);
      const at = line.slice(0, a);
      return { at: at === 'null' ? Number.POSITIVE_INFINITY : Number(at), seq: Number(line.slice(a + 1, b)), d: parseJson(line.slice(b + 1), 1024) as unknown as HuntDetection };
    },
  };
}
