// SigmaHQ's regression test description: a rule's `regression_tests_path` names an info.yml whose
// `regression_tests_info` lists samples (EVTX, or JSON renderings) with an optional `match_count`.
// `match_count` is read as SigmaHQ's own runner reads it: the rule must match at least that many
// events of the sample (more is accepted with a note to raise it); without it, at least one.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { countField, field, located, readYamlMap, stringField } from './yaml-fields.js';

export interface RegressionEntry {
  name: string;
  /** `evtx`, `json`, `ndjson` or `jsonl` (SigmaHQ's runner knows these). */
  type: string;
  /** The sample's path as resolved against the repository root. */
  path: string;
  matchCount?: number;
  /** pySigma pipeline files the entry asks for, resolved against the info.yml's folder. */
  pipelines: string[];
  /** Sigma filter files the entry asks for, resolved the same way. */
  filters: string[];
}

export interface RegressionInfo {
  file: string;
  /** `rule_metadata[].id`: which rule the info.yml says it tests. */
  ruleIds: string[];
  entries: RegressionEntry[];
}

const TYPES = new Set(['evtx', 'json', 'ndjson', 'jsonl']);
export const isKnownRegressionType = (t: string): boolean => TYPES.has(t);

/** Reads an info.yml; throws a located TestFileError when it is malformed. */
export function readRegressionInfo(file: string, root: string): RegressionInfo {
  const map = readYamlMap(file);
  const list = field(map, 'regression_tests_info');
  if (!list || list.kind !== 'seq') throw located(file, list ?? map, "'regression_tests_info' must be a list of tests");
  const meta = field(map, 'rule_metadata');
  const ruleIds = meta?.kind === 'seq' ? meta.items.flatMap((m) => (m.kind === 'map' ? [stringField(file, m, 'id')].filter((x): x is string => !!x) : [])) : [];
  const here = dirname(file);
  const paths = (m: Parameters<typeof field>[0], key: string): string[] => {
    const v = field(m, key);
    if (v === undefined) return [];
    if (v.kind !== 'seq') throw located(file, v, `'${key}' must be a list of paths`);
    return v.items.map((i) => {
      if (i.kind !== 'scalar' || typeof i.value !== 'string') throw located(file, i, `'${key}' entries must be paths`);
      return isAbsolute(i.value) ? i.value : join(here, i.value);
    });
  };
  const entries = list.items.map((item, i): RegressionEntry => {
    if (item.kind !== 'map') throw located(file, item, 'each regression test must be a mapping');
    const path = stringField(file, item, 'path');
    if (!path) throw located(file, item, `regression test ${i + 1} has no 'path'`);
    const matchCount = countField(file, item, 'match_count');
    return {
      name: stringField(file, item, 'name') ?? `test ${i + 1}`,
      type: (stringField(file, item, 'type') ?? 'unknown').toLowerCase(),
      path: isAbsolute(path) ? path : join(root, ...path.split(/[\\/]/)),
      ...(matchCount !== undefined ? { matchCount } : {}),
      pipelines: paths(item, 'pipelines'),
      filters: paths(item, 'filters'),
    };
  });
  return { file, ruleIds, entries };
}

/**
 * The file a sample is read from. SigmaHQ keeps beside each EVTX its JSON rendering
 * (`<id>.json`); when the EVTX itself is absent (a checkout without the binary samples) that
 * rendering is read instead, and the case says so in a note.
 */
export function sampleFile(entry: RegressionEntry): { file: string; note?: string } | null {
  if (existsSync(entry.path)) return { file: entry.path };
  if (entry.type === 'evtx') {
    const json = entry.path.replace(/\.evtx$/i, '.json');
    if (json !== entry.path && existsSync(json)) return { file: json, note: 'EVTX absent: read its JSON rendering beside it' };
  }
  return null;
}
