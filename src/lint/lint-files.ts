// The linter over files and folders: the config found and read, every rule file read, linted
// together, and `--fix` written back. Node only (the language server and the CLI use it).
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { listRuleFiles, readRuleText, type ParsedFile } from '../sigma/load.js';
import { DEFAULT_CONFIG, LintConfigError, parseLintConfig, type LintConfig } from './config.js';
import { parseTaxonomy } from './taxonomy.js';
import { lintDocument, lintTexts, type LintResult } from './lint.js';
import { applyEdits } from './edits.js';

export const CONFIG_FILE = '.quarry-lint.yml';
const MAX_FIX_ROUNDS = 5;

/** The nearest `.quarry-lint.yml` from a folder upward, or undefined. */
export function findConfig(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Reads a config file and the taxonomy it names (relative to the file). Errors are LintConfigError. */
export function loadLintConfig(file: string | undefined, taxonomyOverride?: string): LintConfig {
  let config: LintConfig = DEFAULT_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new LintConfigError(`${file}: cannot be read: ${(e as Error).message}`);
    }
    config = parseLintConfig(text, file, dirname(resolve(file)));
  } else config = { ...DEFAULT_CONFIG, base: resolve('.') };
  const taxonomyFile = taxonomyOverride ?? (config.taxonomyPath && resolve(config.base, config.taxonomyPath));
  if (taxonomyFile) {
    try {
      config = { ...config, taxonomy: parseTaxonomy(readFileSync(taxonomyFile, 'utf8'), taxonomyFile) };
    } catch (e) {
      throw new LintConfigError(`taxonomy ${taxonomyFile}: ${(e as Error).message}`);
    }
  }
  return config;
}

export interface LintRun extends LintResult {
  files: number;
  /** With --fix: edits applied and files changed; `skipped`: fixable findings still there after the last round. */
  fixed?: { edits: number; files: number; skipped: number; failed: Array<{ file: string; reason: string }> };
}

export function lintPaths(paths: string[], config: LintConfig, options: { fix?: boolean } = {}): LintRun {
  const listing = listRuleFiles(paths);
  // Devices, pipes, oversized files and unreadable paths are findings of their own, never read.
  const readAll = () => {
    const problems: ParsedFile[] = [...listing.problems];
    const texts: Array<{ file: string; text: string; bytes: Buffer }> = [];
    for (const file of listing.files) {
      const read = readRuleText(file);
      if ('text' in read) texts.push({ file, ...read });
      else problems.push(read);
    }
    return { texts, problems };
  };
  let { texts, problems } = readAll();
  let result = lintTexts(texts, config, problems);
  if (!options.fix) return { ...result, files: texts.length };
  const fixed = { edits: 0, files: 0, skipped: 0, failed: [] as Array<{ file: string; reason: string }> };
  const byFile = new Map<string, typeof result.findings>();
  for (const f of result.findings) if (f.fix) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  for (const [file, findings] of byFile) {
    const read = texts.find((t) => t.file === file)!;
    // Text read from bytes that are not UTF-8 holds U+FFFD in their place: writing it back would
    // destroy them, so such a file is reported (not-utf8) and left as it is.
    if (!isUtf8(read.bytes)) {
      fixed.failed.push({ file, reason: 'not UTF-8: not rewritten (save it as UTF-8, then --fix)' });
      continue;
    }
    const original = read.text;
    let text = original;
    let edits = 0;
    let pending = findings;
    // A fix can reveal another (a value without its '*' now repeats its neighbour): fix again until
    // nothing fixable is left, a few rounds at most.
    for (let round = 0; round < MAX_FIX_ROUNDS && pending.length; round++) {
      const out = applyEdits(text, pending.flatMap((f) => f.fix!.edits));
      if (out.text === text) break;
      text = out.text;
      edits += out.applied;
      pending = lintDocument(text, file, config).findings.filter((f) => f.fix);
    }
    fixed.skipped += pending.length;
    if (text === original) continue;
    try {
      // Write beside and rename, so an interrupted run never leaves half a rule.
      const tmp = `${file}.quarry-fix.tmp`;
      // The byte order mark, if any, was set aside when reading: put it back.
      writeFileSync(tmp, (read.bytes[0] === 0xef && read.bytes[1] === 0xbb && read.bytes[2] === 0xbf ? '\uFEFF' : '') + text);
      renameSync(tmp, file);
      fixed.edits += edits;
      fixed.files++;
    } catch (e) {
      fixed.failed.push({ file, reason: (e as Error).message });
    }
  }
  // What stands is what the files say now.
  if (fixed.files) {
    ({ texts, problems } = readAll());
    result = lintTexts(texts, config, problems);
  }
  return { ...result, files: texts.length, fixed };
}
