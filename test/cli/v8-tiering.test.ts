// V8's tier-up budget per phase (src/tuning/v8-tiering.ts): which flag each kind of work gets, that the
// user's own budget and other V8 versions are left alone, and that the budget set at run time does
// take effect (fewer functions sent to the optimising compiler in a pass over the rules) without
// changing what a command prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { RULES_PASS_INTERRUPT_BUDGET, tieringFlag } from '../../src/tuning/v8-tiering.js';
import { DATA, REPO } from '../helpers.js';

const NODE_20 = { v8Version: '11.3.244.8-node.38', execArgv: [] };

test('a pass over the rules gets a budget eight times V8 11 default; an event loop gets the default back', () => {
  assert.equal(tieringFlag('rules-pass', NODE_20), `--interrupt-budget=${RULES_PASS_INTERRUPT_BUDGET}`);
  assert.equal(RULES_PASS_INTERRUPT_BUDGET, 8 * 67_584);
  assert.equal(tieringFlag('event-loop', NODE_20), '--interrupt-budget=67584');
});

test("the user's own budget (node's arguments) and other V8 versions are left alone", () => {
  assert.equal(tieringFlag('rules-pass', { ...NODE_20, execArgv: ['--interrupt-budget=1000'] }), null);
  assert.equal(tieringFlag('rules-pass', { ...NODE_20, execArgv: ['--interrupt_budget', '1000'] }), null);
  assert.equal(tieringFlag('event-loop', { ...NODE_20, execArgv: ['--max-old-space-size=512', '--interrupt-budget=5'] }), null);
  assert.equal(tieringFlag('rules-pass', { ...NODE_20, execArgv: ['--interrupt-budget-for-maglev=10'] }), `--interrupt-budget=${RULES_PASS_INTERRUPT_BUDGET}`);
  assert.equal(tieringFlag('rules-pass', { ...NODE_20, v8Version: '12.4.254.21-node.33' }), null);
});

/** `node [nodeArgs] bin/quarry.js args`, and with `--trace-opt` how many functions TurboFan compiled (its lines share standard output, so the output is compared from the untraced run). */
function run(nodeArgs: string[], args: string[]): { status: number | null; stdout: string; compiled: number } {
  const quarry = (extra: string[]) => spawnSync(process.execPath, [...nodeArgs, ...extra, join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', cwd: REPO, maxBuffer: 64 << 20 });
  const plain = quarry([]);
  const compiled = quarry(['--trace-opt']).stdout.match(/\[completed compiling /g)?.length ?? 0;
  return { status: plain.status, stdout: plain.stdout, compiled };
}

const onNode20 = process.versions.v8.startsWith('11.');

test('validate of a thousand rules sends far fewer functions to TurboFan than with the default budget, and prints the same', { skip: !onNode20 && 'tiering is tuned on Node 20 (V8 11) only' }, () => {
  const args = ['validate', '--no-cache', '--format', 'json', join(DATA, 'sigmahq/rules/windows/process_creation')];
  const tuned = run([], args);
  const byDefault = run(['--interrupt-budget=67584'], args);
  assert.equal(tuned.status, 0);
  assert.equal(tuned.stdout, byDefault.stdout);
  assert.ok(tuned.stdout.split('\n').length > 1000);
  // measured 20 against 70-71
  assert.ok(tuned.compiled * 2 < byDefault.compiled, `TurboFan compiled ${tuned.compiled} functions tuned, ${byDefault.compiled} by default`);
});

test('a hunt switches budgets between loading and hunting and finds the same', { skip: !onNode20 && 'tiering is tuned on Node 20 (V8 11) only' }, () => {
  const args = ['hunt', '--no-cache', '--rules', join(DATA, 'sigmahq/rules/windows'), '--format', 'jsonl', '--quiet', join(DATA, 'evtx/evtx-crate/security.evtx')];
  const tuned = run([], args);
  const byDefault = run(['--interrupt-budget=67584'], args);
  assert.equal(tuned.status, byDefault.status);
  assert.ok(tuned.stdout.split('\n').length > 100, 'the hunt found detections');
  assert.equal(tuned.stdout, byDefault.stdout);
  // measured 125-127 against 256-283 (the loading's functions are left to the baseline compiler)
  assert.ok(tuned.compiled * 1.5 < byDefault.compiled, `TurboFan compiled ${tuned.compiled} functions tuned, ${byDefault.compiled} by default`);
});
