// The fences of ARCHITECTURE.md hold: every import in src/ stays inside its room or goes where the
// rooms table or the crossings allowed for now say it may, and tests and benchmarks take only
// commands from src/cli/ (never domain helpers that live in a face).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { REPO } from './helpers.js';
import { importsOf } from './architecture/imports.js';
import { judge, readFences, type Crossing } from './architecture/fences.js';

const SRC = join(REPO, 'src');
const fences = readFences(join(REPO, 'ARCHITECTURE.md'));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The room of a file under src/: its first folder, or `index` for src/index.ts. */
function roomOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.tsx?$/, '');
}

const inSrc = (p: string) => !relative(SRC, p).startsWith('..');

function crossings(): Crossing[] {
  const out: Crossing[] = [];
  for (const file of tsFiles(SRC)) {
    for (const i of importsOf(file)) {
      if (!i.specifier.startsWith('.')) continue;
      const target = normalize(join(dirname(file), i.specifier));
      const from = roomOf(file);
      const to = inSrc(target) ? roomOf(target) : `outside src/ (${i.specifier})`;
      if (from !== to) out.push({ file: relative(REPO, file), line: i.line, from, to });
    }
  }
  return out;
}

test('every room of src/ is in the rooms table of ARCHITECTURE.md', () => {
  const rooms = new Set(tsFiles(SRC).map(roomOf));
  assert.deepEqual([...rooms].filter((r) => !fences.mayImport.has(r)).sort(), []);
  for (const [room, may] of fences.mayImport) for (const r of may) assert.ok(fences.mayImport.has(r), `${room} may import '${r}', which is not a room`);
});

test('no import in src/ crosses a fence that ARCHITECTURE.md does not allow', () => {
  const all = crossings();
  assert.ok(all.length > 100, `only ${all.length} crossings found: the import reader is broken`);
  const { forbidden, unusedAllowances } = judge(all, fences);
  assert.deepEqual(forbidden, []);
  assert.deepEqual(unusedAllowances, [], 'crossings allowed for now that no import uses: delete their rows');
});

test('the judge reports a forbidden crossing and an allowance nobody uses', () => {
  const fake = { mayImport: new Map([['sigma', new Set<string>()], ['cli', new Set(['sigma'])]]), allowed: new Map([['cli→engine', 'reason']]) };
  const r = judge([{ file: 'src/sigma/x.ts', line: 3, from: 'sigma', to: 'cli' }, { file: 'src/cli/y.ts', line: 1, from: 'cli', to: 'sigma' }], fake);
  assert.deepEqual(r.forbidden, ['src/sigma/x.ts:3: sigma→cli is not allowed by ARCHITECTURE.md']);
  assert.deepEqual(r.unusedAllowances, ['cli→engine']);
});

test('tests and benchmarks take only commands from src/cli/', () => {
  const cli = join(SRC, 'cli');
  const wrong: string[] = [];
  for (const file of [...tsFiles(join(REPO, 'test')), ...tsFiles(join(REPO, 'bench'))]) {
    for (const i of importsOf(file)) {
      const target = normalize(join(dirname(file), i.specifier));
      if (!i.specifier.startsWith('.') || relative(cli, target).startsWith('..')) continue;
      const helpers = i.names.filter((n) => !/Command$/.test(n));
      if (helpers.length) wrong.push(`${relative(REPO, file)}:${i.line}: ${helpers.join(', ')} from ${i.specifier}`);
    }
  }
  assert.deepEqual(wrong, []);
});
