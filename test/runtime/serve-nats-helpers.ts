// Runs the scaled-out service as an operator would: `quarry publish` the events, any number of
// `quarry serve --stage …` processes, a supervisor that restarts a process killed by a failpoint
// (without the failpoint), and the detections read back from the output stream, keyed so that a
// hunt's detections and the service's compare as sets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { QUARRY } from './serve-helpers.js';
import { partitionEnds, readSubject, type NatsServer } from './nats-server.js';

export interface WorkerSpec {
  stage: 'detect' | 'correlate' | 'both';
  name: string;
  /** QUARRY_FAILPOINT for the first run only. */
  failpoint?: string;
}

export interface TopologyRun {
  workers: Map<string, ChildProcess>;
  logs: Map<string, string>;
  /** Runs per worker name (a restart after a kill adds one). */
  starts: Map<string, number>;
  stopSupervising(): void;
}

export function publish(nats: NatsServer, stream: string, file: string, end: boolean): void {
  const r = spawnSync(process.execPath, [QUARRY, 'publish', '--to', nats.url(stream), ...(end ? ['--end'] : []), file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + nats.whyGone());
}

export function startTopology(nats: NatsServer, stream: string, rules: string, specs: WorkerSpec[], extra: string[]): TopologyRun {
  const run: TopologyRun = { workers: new Map(), logs: new Map(), starts: new Map(), stopSupervising: () => (supervising = false) };
  let supervising = true;
  const launch = (spec: WorkerSpec) => {
    const first = !run.starts.has(spec.name);
    run.starts.set(spec.name, (run.starts.get(spec.name) ?? 0) + 1);
    const env = { ...process.env, ...(first && spec.failpoint ? { QUARRY_FAILPOINT: spec.failpoint } : {}) };
    if (!first || !spec.failpoint) delete env.QUARRY_FAILPOINT;
    const args = [QUARRY, 'serve', '--rules', rules, '--input', nats.url(stream), '--output', `nats://${nats.server}/detections.${stream}`, '--stage', spec.stage, '--worker', spec.name, '--lease', '2s', ...extra];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    run.workers.set(spec.name, child);
    child.stderr!.on('data', (b: Buffer) => run.logs.set(spec.name, (run.logs.get(spec.name) ?? '') + b.toString()));
    child.once('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && supervising) launch(spec); // as systemd or Kubernetes would
    });
  };
  for (const s of specs) launch(s);
  return run;
}

/** Waits until every partition has applied the end of input at `endSeq` (or throws with the logs). */
export async function waitForEnd(nats: NatsServer, stream: string, endSeq: number, run: TopologyRun | TopologyRun[], timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Every worker's log on a timeout, not only the run waited on: the stall may be in another stage.
  const logs = () => (Array.isArray(run) ? run : [run]).flatMap((r) => [...r.logs]).map(([n, l]) => `--- ${n}\n${l.slice(-4000)}`).join('\n');
  for (;;) {
    const ends = await partitionEnds(nats.server, stream).catch(() => [0]);
    if (ends.length && ends.every((e) => e >= endSeq)) return;
    if (Date.now() > deadline) throw new Error(`partitions did not finish (ends ${ends.join(',')}, want ${endSeq}):\n${logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGTERM to every worker; resolves with their exit codes (a graceful stop is 0). */
export async function stopTopology(run: TopologyRun): Promise<Map<string, number | null>> {
  run.stopSupervising();
  const codes = new Map<string, number | null>();
  await Promise.all(
    [...run.workers].map(
      ([name, child]) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            codes.set(name, child.exitCode);
            return resolve();
          }
          // A graceful stop that does not end is a failure to see (the exit code), not a test file
          // that never ends: a second SIGTERM makes the worker exit at once, and SIGKILL after that.
          const again = setTimeout(() => child.kill('SIGTERM'), 20_000);
          const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.once('exit', (code) => {
            clearTimeout(again);
            clearTimeout(kill);
            codes.set(name, code);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  return codes;
}

/** What identifies a detection across a hunt and the service: rule, event position, and for a correlation its group, window, value and events. */
export function detectionKey(line: string): string {
  const d = JSON.parse(line) as { rule: { id?: string; title: string }; source: { record?: number }; group?: unknown; window?: unknown; value?: number; eventCount?: number; events?: Array<{ record?: number }> };
  return JSON.stringify([d.rule.id ?? d.rule.title, d.source.record, d.group ?? null, d.window ?? null, d.value ?? null, d.eventCount ?? null, d.events?.map((e) => e.record) ?? null]);
}

export async function serviceDetections(nats: NatsServer, stream: string): Promise<string[]> {
  return (await readSubject(nats.server, `detections.${stream}`)).map(detectionKey);
}

/** Exactly the expected set: none missing, none extra, none twice (messages named in the failure). */
export function assertSameDetections(got: string[], want: string[], label: string): void {
  const dup = got.length - new Set(got).size;
  const have = new Set(got);
  const expected = new Set(want);
  const missing = want.filter((k) => !have.has(k));
  const extra = got.filter((k) => !expected.has(k));
  assert.deepEqual({ missing: missing.length, extra: extra.length, duplicates: dup }, { missing: 0, extra: 0, duplicates: 0 }, `${label}: missing ${missing.slice(0, 3).join(' ')} extra ${extra.slice(0, 3).join(' ')}`);
  assert.equal(got.length, want.length, label);
}
