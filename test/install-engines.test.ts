// `npm install` warns EBADENGINE when a locked package declares a Node range that excludes the running
// Node (issue 16, item 5: re2 1.25 and node-gyp 13 did, on the Node 20 the README supports). This checks
// the lock against the versions the project says it supports: the oldest release of each supported line
// (package.json's `engines`, which the README's quick start repeats) must satisfy every locked package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers.js';

type Version = [number, number, number];

/** A version or a partial one: `20`, `20.19`, `18.x`, `18.x.x` (an `x` or `*` part is left open, as a missing one). */
function parse(v: string): { version: Version; parts: number } {
  const m = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(v.trim());
  if (!m) throw new Error(`not a version: '${v}'`);
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  const [minor, patch] = [num(m[2]), num(m[3])];
  const parts = minor === undefined ? 1 : patch === undefined ? 2 : 3;
  return { version: [Number(m[1]), parts > 1 ? minor! : 0, parts > 2 ? patch! : 0], parts };
}
const cmp = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One comparator of an npm range (`>=18`, `^20.17.0`, `14`, `*`); the forms package locks hold. */
function satisfiesOne(v: Version, comparator: string): boolean {
  if (comparator === '*' || comparator === 'x' || comparator === '') return true;
  const m = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(comparator)!;
  const { version: b, parts } = parse(m[2]!);
  // The upper bound of a partial version or a caret/tilde range: the next release of the part that may not change.
  const bump = (i: number): Version => (i === 0 ? [b[0] + 1, 0, 0] : i === 1 ? [b[0], b[1] + 1, 0] : [b[0], b[1], b[2] + 1]);
  switch (m[1]) {
    case '>=': return cmp(v, b) >= 0;
    case '>': return cmp(v, b) > 0;
    case '<=': return cmp(v, b) <= 0;
    case '<': return cmp(v, b) < 0;
    case '^': return cmp(v, b) >= 0 && cmp(v, bump(b[0] > 0 ? 0 : b[1] > 0 ? 1 : 2)) < 0;
    case '~': return cmp(v, b) >= 0 && cmp(v, bump(parts === 1 ? 0 : 1)) < 0;
    default: return cmp(v, b) >= 0 && cmp(v, bump(parts - 1)) < 0; // `14`, `14.17`, `=14.17.0`
  }
}

function satisfies(version: string, range: string): boolean {
  const v = parse(version).version;
  return range.split('||').some((set) => set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).every((c) => satisfiesOne(v, c)));
}

/** The oldest release of each line a range admits: `^20.19.0 || >=22.12.0` → 20.19.0 and 22.12.0. */
function oldestOfEachLine(range: string): string[] {
  return range.split('||').map((set) => {
    const m = /(?:>=|\^|~)?\s*(\d+(?:\.\d+){0,2})/.exec(set.trim());
    if (!m) throw new Error(`package.json engines: cannot read '${set}'`);
    return parse(m[1]!).version.join('.');
  });
}

test('the range check reads npm ranges as npm does', () => {
  assert.ok(satisfies('20.19.0', '^20.19.0 || >=22.12.0'));
  assert.ok(!satisfies('20.18.3', '^20.19.0 || >=22.12.0'));
  assert.ok(!satisfies('21.7.0', '^20.19.0 || >=22.12.0'));
  assert.ok(satisfies('22.12.0', '^20.19.0 || >=22.12.0'));
  assert.ok(satisfies('14.17.0', '>=16 || 14 >=14.17'));
  assert.ok(!satisfies('14.16.0', '>=16 || 14 >=14.17'));
  assert.ok(!satisfies('15.0.0', '^10 || ^12 || ^13.7 || ^14 || >=15.0.1'));
  assert.ok(satisfies('20.0.0', '>= 18'));
  assert.ok(satisfies('18.20.1', '18.x'));
  assert.ok(!satisfies('20.19.0', '18.x'));
  assert.ok(satisfies('20.19.0', '18.x || >=20.x'));
});

test('every locked package accepts the oldest Node of each line package.json and the README support: no EBADENGINE on install', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: unknown }> };
  const supported = oldestOfEachLine(pkg.engines.node);
  // The README's quick start names the same oldest versions.
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  for (const v of supported) assert.ok(readme.includes(`Node ${v.replace(/(\.0)+$/, '')}`), `README does not name Node ${v}`);
  const refused: string[] = [];
  let checked = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    const engines = entry.engines;
    const range = engines && typeof engines === 'object' && !Array.isArray(engines) ? (engines as { node?: unknown }).node : undefined;
    if (typeof range !== 'string') continue;
    checked++;
    for (const v of supported) if (!satisfies(v, range)) refused.push(`${path.replace(/^node_modules\//, '')} (${range}) refuses Node ${v}`);
  }
  assert.ok(checked > 40, `${checked} locked packages declare a Node range`);
  assert.deepEqual(refused, []);
  // And the Node running the tests is one of those supported.
  assert.ok(satisfies(process.versions.node, pkg.engines.node), `Node ${process.versions.node} is outside ${pkg.engines.node}`);
});
