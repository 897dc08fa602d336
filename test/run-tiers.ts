// Runs the compiled tests by tier (test/tiers.ts):
//
//   node dist/test/run-tiers.js                 every tier, as one run (what `npm test` does)
//   node dist/test/run-tiers.js unit corpus     the named tiers, one after the other, each timed
//   … --reporter spec|tap|dot                   node's reporters (default: spec on a terminal, else tap)
//
// Only `*.test.js` files run. Files run side by side on as many workers as the machine has cores
// (QUARRY_TEST_CONCURRENCY to change it): each is its own process with its own temporary folders and
// servers. Files start in tier order, corpus first and longest first, so that the long ones do not
// start last and run alone; this is also why node's CLI (which sorts files by name) is not used.
import { run } from 'node:test';
import * as reporters from 'node:test/reporters';
import { readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { isTestFile, LISTED, TIER_NAMES, tierOf, type Tier } from './tiers.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/test
const repo = join(here, '..', '..');
const keyOf = (file: string) => relative(here, file).split(sep).join('/');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : isTestFile(e.name) && e.name.endsWith('.js') ? [p] : [];
  });
}

/** The tier's files: listed ones in their listed order (longest first), the unit tier by name. */
function filesOf(tier: Tier, all: readonly string[]): string[] {
  const mine = all.filter((f) => tierOf(keyOf(f)) === tier);
  if (tier === 'unit') return mine.sort();
  const order = LISTED[tier].map((f) => f.replace(/\.ts$/, '.js'));
  return mine.sort((a, b) => order.indexOf(keyOf(a)) - order.indexOf(keyOf(b)));
}

function parseArgs(argv: string[]): { tiers: Tier[]; reporter: string } {
  const tiers: Tier[] = [];
  let reporter = process.stdout.isTTY ? 'spec' : 'tap';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--reporter') reporter = argv[++i] ?? '';
    else if (a.startsWith('--reporter=')) reporter = a.slice('--reporter='.length);
    else if ((TIER_NAMES as readonly string[]).includes(a)) tiers.push(a as Tier);
    else fail(`unknown tier or option '${a}' (tiers: ${TIER_NAMES.join(', ')}; option: --reporter spec|tap|dot)`);
  }
  if (!['spec', 'tap', 'dot'].includes(reporter)) fail(`--reporter must be spec, tap or dot, not '${reporter}'`);
  return { tiers, reporter };
}

function fail(message: string): never {
  console.error(`run-tiers: ${message}`);
  process.exit(2);
}

/** Runs files as one `node:test` run; resolves to whether every test passed. */
async function runFiles(files: string[], reporter: string, concurrency: number): Promise<boolean> {
  let ok = true;
  const stream = run({ files, concurrency });
  stream.on('test:fail', (data: { todo?: unknown }) => {
    if (data.todo === undefined) ok = false;
  });
  const format = reporter === 'spec' ? new reporters.spec() : reporter === 'dot' ? reporters.dot : reporters.tap;
  await new Promise<void>((resolve, reject) => {
    // node's reporters are stream transforms (spec a class, tap and dot generator functions).
    const out = (stream as unknown as Readable).compose<Readable>(format as unknown as Readable);
    out.on('error', reject).on('end', resolve).pipe(process.stdout, { end: false });
  });
  return ok;
}

const { tiers, reporter } = parseArgs(process.argv.slice(2));
const all = testFiles(here);
// A listed file that no longer exists would let its renamed self fall into the unit tier unseen.
const stale = Object.values(LISTED).flat().filter((f) => !existsSync(join(here, f.replace(/\.ts$/, '.js'))));
if (stale.length) fail(`test/tiers.ts lists files that do not exist: ${stale.join(', ')}`);
process.chdir(repo); // the tests find the repository (and ../shared/data) from the working directory
// Commands the tests start keep their rule cache (src/sigma/rule-cache.ts) here, never in the user's.
const ruleCache = mkdtempSync(join(tmpdir(), 'quarry-test-cache-'));
process.env.QUARRY_CACHE_DIR = ruleCache;

const concurrency = Number(process.env.QUARRY_TEST_CONCURRENCY) || availableParallelism();
const order: Tier[] = ['corpus', 'browser', 'services', 'unit'];
const runs: Array<{ name: string; files: string[] }> = tiers.length
  ? TIER_NAMES.filter((t) => tiers.includes(t)).map((t) => ({ name: t, files: filesOf(t, all) }))
  : [{ name: `all (${TIER_NAMES.join(', ')})`, files: order.flatMap((t) => filesOf(t, all)) }];

const summary: string[] = [];
let passed = true;
for (const { name, files } of runs) {
  if (!files.length) continue;
  const t0 = performance.now();
  const ok = await runFiles(files, reporter, concurrency);
  passed &&= ok;
  summary.push(`  ${name.padEnd(9)} ${String(files.length).padStart(3)} files  ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${ok ? 'ok' : 'FAILED'}`);
}
console.log(`\ntests (${concurrency} workers):\n${summary.join('\n')}`);
rmSync(ruleCache, { recursive: true, force: true });
process.exitCode = passed ? 0 : 1;
