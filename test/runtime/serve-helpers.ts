// Runs `quarry serve` as a user would (a child process) and reads what it writes: detections on
// standard output, JSON log lines on standard error. Also the demo logs as the NDJSON a stream carries.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, createReadStream, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { readJsonEvents } from '../../src/sources/json-reader.js';
import { stringifyExact } from '../../src/json/stringify-exact.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers.js';

export const QUARRY = join(REPO, 'bin/quarry.js');
export const DEMO_LOGS = join(REPO, 'examples/logs');

/** Two correlations over the demo logs: a count of proxy matches per client, and an ordered pair on one host. */
export const DEMO_CORRELATIONS = `title: Repeated BITS Downloads From One Client
id: a1000000-0000-4000-8000-000000000001
status: test
correlation:
    type: event_count
    rules:
        - 9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c
    group-by:
        - c-ip
    timespan: 2h
    condition:
        gte: 2
level: high
---
title: Encoded PowerShell Then A Run Key On The Same Host
id: a1000000-0000-4000-8000-000000000002
status: test
correlation:
    type: temporal_ordered
    rules:
        - 5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b
        - 7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f
    group-by:
        - Computer
    timespan: 10m
level: critical
`;

/** A folder with the example rules and the demo correlations. */
export function demoRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-serve-rules-'));
  for (const f of readdirSync(join(REPO, 'examples/rules'))) copyFileSync(join(REPO, 'examples/rules', f), join(dir, f));
  writeFileSync(join(dir, 'demo_correlations.yml'), DEMO_CORRELATIONS);
  return dir;
}

/** The demo logs' events, file by file in name order (as `quarry hunt` reads the folder), one JSON object a line, as written. */
export async function demoEventLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const f of readdirSync(DEMO_LOGS).sort()) {
    const source = readJsonEvents(f, createReadStream(join(DEMO_LOGS, f)), { normalize: false });
    for await (const r of source.records()) lines.push(stringifyExact(r.event));
    assert.equal(source.problemCount, 0);
  }
  return lines;
}

export interface Serving {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  logs: () => Array<Record<string, any>>;
  /** Resolves with the first log line whose msg is `msg` (and that `where` accepts). */
  waitLog(msg: string, where?: (l: Record<string, any>) => boolean): Promise<Record<string, any>>;
  exit: Promise<number | null>;
}

export function serve(args: string[]): Serving {
  const child = spawn(process.execPath, [QUARRY, 'serve', ...args], { stdio: 'pipe' });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  const logs = () =>
    err
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    stdout: () => out,
    logs,
    exit,
    async waitLog(msg, where = () => true) {
      for (;;) {
        const hit = logs().find((l) => l.msg === msg && where(l));
        if (hit) return hit;
        if (child.exitCode !== null) throw new Error(`quarry serve exited (${child.exitCode}) before logging '${msg}':\n${err}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

export function jsonl(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/**
 * A detection without where its events were read (a file and line for a hunt, standard input or
 * HTTP for the service): what must agree between the two.
 */
export function comparable(d: Record<string, any>): string {
  const { source: _source, events, ...rest } = d;
  return JSON.stringify({ ...rest, ...(events ? { events: events.map((e: Record<string, any>) => [e.rule, e.title, e.time]) } : {}) });
}

export function sortedComparable(ds: Array<Record<string, any>>): string[] {
  return ds.map(comparable).sort();
}
