// The lint configuration: which checks run, at which severity, and where they are silenced. Read from
// `.quarry-lint.yml` (the current folder or the nearest parent that has one) or `--config FILE`:
//
//   disable: [sigmahq-filename-prefix, hygiene]   # check ids or groups (validity, sigmahq, hygiene)
//   severity: { contains-wildcard: error }        # error, warning, info, or off
//   ignore:                                        # per path, relative to the config file
//     - paths: ['rules/deprecated/**']
//       checks: [all]                             # ids, groups, or all
//   taxonomy: tests/logsource.json                 # fields by log source, for unknown-field
//
// A mistake in the file (an unknown key, a check id that does not exist) is an error naming it:
// a silently ignored suppression is a check that quietly stopped running.
import { parse } from 'yaml';
import type { CheckGroup, Finding, Severity } from './types.js';
import type { Taxonomy } from './taxonomy.js';
import { allCheckDescriptions } from './catalogue.js';
import { nearest } from '../sigma/nearest.js';

export interface LintConfig {
  /** Check ids and groups that do not run. */
  disabled: ReadonlySet<string>;
  severity: ReadonlyMap<string, Severity | 'off'>;
  ignore: ReadonlyArray<{ pattern: string; matches: (relativePath: string) => boolean; checks: ReadonlySet<string> | 'all' }>;
  /** Folder the config's paths are relative to. */
  base: string;
  /** Path of the taxonomy file as written (resolved against base by the caller that reads it). */
  taxonomyPath?: string;
  taxonomy?: Taxonomy;
}

export const DEFAULT_CONFIG: LintConfig = { disabled: new Set(), severity: new Map(), ignore: [], base: '.' };

const GROUPS: readonly CheckGroup[] = ['validity', 'sigmahq', 'hygiene'];
const SEVERITIES = ['error', 'warning', 'info', 'off'] as const;
const KEYS = ['disable', 'severity', 'ignore', 'taxonomy'];

export class LintConfigError extends Error {}

/** `*` within a path segment, `**` across segments, `?` one character. */
export function globMatcher(glob: string): (path: string) => boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`);
  return (path) => rx.test(path);
}

function checkNames(list: unknown, where: string, known: Set<string>, allowAll: boolean): string[] {
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new LintConfigError(`${where} must be a list of check ids`);
  for (const id of list as string[]) {
    if (known.has(id) || (allowAll && id === 'all')) continue;
    const near = nearest(id, [...known], 3);
    throw new LintConfigError(`${where}: no check or group '${id}'${near ? ` (did you mean '${near}'?)` : ''}`);
  }
  return list as string[];
}

export function parseLintConfig(text: string, source: string, base: string): LintConfig {
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new LintConfigError(`${source}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return { ...DEFAULT_CONFIG, base };
  if (typeof data !== 'object' || Array.isArray(data)) throw new LintConfigError(`${source}: must be a map (disable, severity, ignore, taxonomy)`);
  const d = data as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KEYS.includes(k)) throw new LintConfigError(`${source}: unknown key '${k}' (the keys are ${KEYS.join(', ')})`);
  const known = new Set([...allCheckDescriptions().map((c) => c.id), ...GROUPS]);
  const disabled = new Set(d.disable === undefined ? [] : checkNames(d.disable, `${source}: disable`, known, false));
  const severity = new Map<string, Severity | 'off'>();
  if (d.severity !== undefined) {
    if (typeof d.severity !== 'object' || d.severity === null || Array.isArray(d.severity)) throw new LintConfigError(`${source}: severity must be a map of check id to ${SEVERITIES.join(', ')}`);
    for (const [id, s] of Object.entries(d.severity)) {
      checkNames([id], `${source}: severity`, known, false);
      if (!(SEVERITIES as readonly unknown[]).includes(s)) throw new LintConfigError(`${source}: severity of '${id}' must be one of ${SEVERITIES.join(', ')}, not '${String(s)}'`);
      severity.set(id, s as Severity | 'off');
    }
  }
  const ignore: LintConfig['ignore'][number][] = [];
  if (d.ignore !== undefined) {
    if (!Array.isArray(d.ignore)) throw new LintConfigError(`${source}: ignore must be a list of {paths, checks}`);
    d.ignore.forEach((entry: unknown, i) => {
      const e = entry as Record<string, unknown>;
      const where = `${source}: ignore[${i}]`;
      if (typeof e !== 'object' || e === null || !Array.isArray(e.paths) || !e.paths.every((p) => typeof p === 'string')) throw new LintConfigError(`${where} needs 'paths', a list of globs`);
      const checks = e.checks === undefined ? ['all'] : checkNames(e.checks, `${where}.checks`, known, true);
      for (const pattern of e.paths as string[]) ignore.push({ pattern, matches: globMatcher(pattern), checks: checks.includes('all') ? 'all' : new Set(checks) });
    });
  }
  if (d.taxonomy !== undefined && typeof d.taxonomy !== 'string') throw new LintConfigError(`${source}: taxonomy must be a file path`);
  return { disabled, severity, ignore, base, ...(typeof d.taxonomy === 'string' ? { taxonomyPath: d.taxonomy } : {}) };
}

/** A finding's check is named by its id or its group. */
const names = (f: Finding, group: CheckGroup | undefined) => [f.check, ...(group ? [group] : [])];

export function isDisabled(config: LintConfig, check: string, group: CheckGroup | undefined): boolean {
  return [check, ...(group ? [group] : [])].some((n) => config.disabled.has(n)) || config.severity.get(check) === 'off';
}

/** Whether an `ignore` entry of the config covers the finding (its path relative to the config's folder). */
export function isIgnored(config: LintConfig, f: Finding, group: CheckGroup | undefined, relativePath: string): boolean {
  return config.ignore.some((i) => i.matches(relativePath) && (i.checks === 'all' || names(f, group).some((n) => (i.checks as ReadonlySet<string>).has(n))));
}
