// Quarry's own test files, beside the rules they test: `NAME.test.yml` tests the rules of
// `NAME.yml` (or of the files its `rule`/`rules` name). Format (README.md, "quarry test"):
//
//   rule: other_name.yml        # optional; default: NAME.yml beside this file
//   rules: [base.yml]           # optional: more rule files loaded with it (a correlation's base rules)
//   pipelines: [windows]        # optional; default: the command's pipelines
//   tests:
//     - name: bitsadmin to a .xyz host     # optional
//       event: {EventID: 16403, ...}       # one event, or
//       events: [{...}, {...}]             # several, or
//       path: samples/benign.json          # a file (JSON, NDJSON, EVTX, ...) relative to this file
//       match: true                        # the rules match at least one event (false: none), or
//       match_count: 2                     # exactly this many events, or
//       fires:                             # correlations: exactly these groups fire ([] for none)
//         - {User: alice}
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { toPlain, type YMap, type YNode } from '../../sigma/yaml-tree.js';
import type { LogEvent } from '../../sources/types.js';
import { TEST_FILE } from '../../sigma/load.js';
import { countField, field, located, readYamlMap, stringField } from './yaml-fields.js';


export type Expectation = { kind: 'match'; match: boolean } | { kind: 'count'; count: number } | { kind: 'fires'; groups: Array<Record<string, string>> };

export interface QuarryTest {
  name: string;
  /** Events given in the file, or a sample file. */
  sample: { events: LogEvent[] } | { file: string };
  expect: Expectation;
  line: number;
}

export interface QuarryTestFile {
  file: string;
  ruleFiles: string[];
  /** Pipeline names or files, or undefined for the command's. */
  pipelines?: string[];
  tests: QuarryTest[];
}

function eventOf(file: string, n: YNode): LogEvent {
  if (n.kind !== 'map') throw located(file, n, 'an event must be a mapping of field names to values');
  return toPlain(n) as LogEvent;
}

function strings(file: string, map: YMap, key: string): string[] | undefined {
  const v = field(map, key);
  if (v === undefined) return undefined;
  const items = v.kind === 'seq' ? v.items : [v];
  return items.map((i) => {
    if (i.kind !== 'scalar' || typeof i.value !== 'string') throw located(file, i, `'${key}' must be a string or a list of strings`);
    return i.value;
  });
}

/** Reads a test file; throws a located TestFileError when it is malformed. */
export function readQuarryTestFile(file: string): QuarryTestFile {
  const map = readYamlMap(file);
  const here = dirname(file);
  const rel = (p: string) => (isAbsolute(p) ? p : join(here, p));
  const known = new Set(['rule', 'rules', 'pipelines', 'tests']);
  for (const e of map.entries) if (!known.has(e.key)) throw located(file, { pos: e.keyPos }, `unknown key '${e.key}' (known: ${[...known].join(', ')})`);
  const ruleName = stringField(file, map, 'rule');
  let main: string;
  if (ruleName) main = rel(ruleName);
  else {
    const stem = basename(file).replace(TEST_FILE, '');
    const found = ['.yml', '.yaml'].map((x) => join(here, stem + x)).find((p) => existsSync(p));
    if (!found) throw located(file, map, `no rule file ${stem}.yml beside it: name it with 'rule:'`);
    main = found;
  }
  const ruleFiles = [main, ...(strings(file, map, 'rules') ?? []).map(rel)];
  const pipelines = strings(file, map, 'pipelines');
  const list = field(map, 'tests');
  if (!list || list.kind !== 'seq' || list.items.length === 0) throw located(file, list ?? map, "'tests' must be a non-empty list");
  const tests = list.items.map((item, i): QuarryTest => {
    if (item.kind !== 'map') throw located(file, item, 'each test must be a mapping');
    const given = ['event', 'events', 'path'].filter((k) => field(item, k) !== undefined);
    if (given.length !== 1) throw located(file, item, `test ${i + 1}: give exactly one of 'event', 'events' or 'path' (given: ${given.join(', ') || 'none'})`);
    let sample: QuarryTest['sample'];
    const ev = field(item, 'event');
    const evs = field(item, 'events');
    if (ev) sample = { events: [eventOf(file, ev)] };
    else if (evs) {
      if (evs.kind !== 'seq') throw located(file, evs, "'events' must be a list of events");
      sample = { events: evs.items.map((n) => eventOf(file, n)) };
    } else sample = { file: rel(stringField(file, item, 'path')!) };
    const expects = ['match', 'match_count', 'fires'].filter((k) => field(item, k) !== undefined);
    if (expects.length !== 1) throw located(file, item, `test ${i + 1}: give exactly one of 'match', 'match_count' or 'fires' (given: ${expects.join(', ') || 'none'})`);
    let expect: Expectation;
    if (expects[0] === 'match') {
      const m = field(item, 'match')!;
      if (m.kind !== 'scalar' || typeof m.value !== 'boolean') throw located(file, m, "'match' must be true or false");
      expect = { kind: 'match', match: m.value };
    } else if (expects[0] === 'match_count') expect = { kind: 'count', count: countField(file, item, 'match_count')! };
    else {
      const f = field(item, 'fires')!;
      if (f.kind !== 'seq') throw located(file, f, "'fires' must be a list of groups ({field: value, ...}), [] for none");
      expect = {
        kind: 'fires',
        groups: f.items.map((g) => {
          if (g.kind !== 'map') throw located(file, g, 'a group is a mapping of group-by fields to values');
          return Object.fromEntries(Object.entries(toPlain(g) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
        }),
      };
    }
    return { name: stringField(file, item, 'name') ?? `test ${i + 1}`, sample, expect, line: item.pos.line };
  });
  return { file, ruleFiles, ...(pipelines ? { pipelines } : {}), tests };
}
