// Tuning: an exclusion chosen in the explorer becomes a real Sigma filter file in a `filters/`
// folder inside the rule's root (never anywhere else), loaded at once so that the rule's
// translations, stages and hunt results include it. Only files the explorer wrote can be deleted.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseSigmaText } from '../sigma/load.js';
import { exclusionFilterYaml } from '../sigma/filter-yaml.js';
import { formatDiagnostic, hasErrors } from '../sigma/diagnostics.js';
import type { SigmaFilter, SigmaRule } from '../sigma/model.js';
import { addDocument, relativePath, removeDocument, rootOf, type ExplorerState, type LoadedDocument } from './explorer-state.js';
import { HttpError } from './http.js';
import type { FilterFileInfo } from './api-types.js';
import { PathRefused, resolveInside } from './paths.js';
import { filterProblem } from '../hunt/exclusions.js';
import { re2Regex } from '../engine/regex-re2.js';

/** First line of every file the explorer writes: how DELETE knows the file is its own. */
export const MARKER = '# Written by quarry explore (tuning). Edit or delete it as you like.';
const NAME = /^mf_quarry_[a-z0-9_]{1,80}\.yml$/;

export interface TuningRequest {
  rule: string;
  field: string;
  modifier?: string;
  values: string[];
  note?: string;
}

// Modifiers an exclusion may use: value matching ones; encodings and field references are not tuning.
const MODIFIERS = new Set(['contains', 'startswith', 'endswith', 'all', 'cased', 're', 'i', 'm', 's', 'cidr', 'windash', 'exists', 'gt', 'gte', 'lt', 'lte']);

export function parseTuningRequest(body: unknown): TuningRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object {rule, field, modifier?, values, note?}');
  const b = body as Record<string, unknown>;
  if (typeof b.rule !== 'string' || !b.rule) throw new HttpError(400, "'rule' must be the key of a rule");
  if (typeof b.field !== 'string' || !/^[^\s|\x00-\x1f][^|\x00-\x1f]{0,199}$/.test(b.field) || b.field !== b.field.trim()) throw new HttpError(400, "'field' must be a field name (no '|', no control characters, at most 200 characters)");
  let modifier: string | undefined;
  if (b.modifier !== undefined && b.modifier !== null && b.modifier !== '') {
    if (typeof b.modifier !== 'string') throw new HttpError(400, "'modifier' must be a string such as 'endswith' or 'contains|all'");
    const bad = b.modifier.split('|').filter((m) => !MODIFIERS.has(m));
    if (bad.length) throw new HttpError(400, `'modifier' has unsupported parts: ${bad.join(', ')} (allowed: ${[...MODIFIERS].join(', ')})`);
    modifier = b.modifier;
  }
  if (!Array.isArray(b.values) || b.values.length === 0 || b.values.length > 500) throw new HttpError(400, "'values' must be a list of 1 to 500 strings");
  const values = b.values.map((v, i) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new HttpError(400, `values[${i}] must be a string or a number`);
    const s = String(v);
    if (s.length > 2000) throw new HttpError(400, `values[${i}] is longer than 2000 characters`);
    return s;
  });
  let note: string | undefined;
  if (b.note !== undefined && b.note !== null) {
    if (typeof b.note !== 'string' || b.note.length > 2000) throw new HttpError(400, "'note' must be a string of at most 2000 characters");
    note = b.note;
  }
  return { rule: b.rule, field: b.field, modifier, values, note };
}

function slug(s: string, max: number): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, max).replace(/_+$/, '') || 'rule';
}

/** Writes the filter file for an exclusion and loads it. */
export function addExclusion(state: ExplorerState, req: TuningRequest, now = new Date()): { path: string; source: string; filter: LoadedDocument } {
  const target = state.byKey.get(req.rule);
  if (!target) throw new HttpError(404, `no rule with key '${req.rule}'`);
  if (target.doc.kind !== 'rule') throw new HttpError(400, `'${req.rule}' is a ${target.doc.kind}, not a rule: only rules can be tuned`);
  const rule = target.doc;
  if (!rule.id && !rule.name) throw new HttpError(400, 'the rule has no id (nor name): a Sigma filter can only name rules by id or name; give the rule an id first');
  if (target.root.isFile) throw new HttpError(400, `the rule was given as a single file (${target.root.given}): give its folder to the explorer so that filters can be written next to it`);
  const id = randomUUID();
  const base = `mf_quarry_${slug(rule.title, 40)}_${id.slice(0, 8)}.yml`;
  let file: string;
  try {
    file = resolveInside(target.root.dir, `filters/${base}`);
  } catch (e) {
    if (e instanceof PathRefused) throw new HttpError(403, `cannot write the filter file: ${e.message}`);
    throw e;
  }
  const text = `${MARKER}\n${exclusionFilterYaml(rule, req, { id, date: now.toISOString().slice(0, 10), author: 'quarry explore', chosenIn: 'quarry explore' })}`;
  const parsed = parseSigmaText(text, file);
  const d = parsed.documents[0];
  if (!d?.document || d.document.kind !== 'filter' || hasErrors(d.diagnostics)) {
    throw new HttpError(400, `the exclusion does not make a valid Sigma filter: ${(d?.diagnostics ?? []).filter((x) => x.severity === 'error').map(formatDiagnostic).join('; ')}`);
  }
  // Compiled as a hunt compiles it (RE2): an exclusion the engine cannot run would switch the rule off.
  const problem = filterProblem(rule, d.document, re2Regex);
  if (problem) throw new HttpError(400, `the exclusion cannot be used by hunts, so it would switch the rule off: ${problem.at?.message ?? problem.reason}`);
  try {
    mkdirSync(resolveInside(target.root.dir, 'filters'), { recursive: true });
  } catch (e) {
    // EEXIST here: 'filters' is there but is not a folder
    throw fileRefusal((e as NodeJS.ErrnoException).code === 'EEXIST' ? Object.assign(e as Error, { code: 'ENOTDIR' }) : e, `cannot make the folder ${target.root.label}/filters`);
  }
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (e) {
    throw fileRefusal(e, `cannot write the filter file ${target.root.label}/${relativePath(target.root, file)}`);
  }
  state.col.filters.push(d.document);
  const loaded = addDocument(state, d.document);
  state.generation++;
  return { path: `${target.root.label}/${relativePath(target.root, file)}`, source: text, filter: loaded };
}

export function filterInfo(state: ExplorerState, f: SigmaFilter): FilterFileInfo {
  const loaded = state.documents.find((d) => d.doc === f);
  const root = rootOf(state.roots, f.file);
  return {
    name: basename(f.file),
    path: root ? `${root.label}/${relativePath(root, f.file)}` : basename(f.file),
    root: root?.label ?? '',
    key: loaded?.key ?? '',
    title: f.title,
    id: f.id ?? null,
    rules: f.rules,
    createdByExplorer: isOwnFile(f),
    source: f.source,
  };
}

/** The explorer's own files: its name pattern and its marker line at the top of the file on disk. */
function isOwnFile(f: SigmaFilter): boolean {
  if (!NAME.test(basename(f.file))) return false;
  try {
    return readFileSync(f.file, 'utf8').startsWith(MARKER + '\n');
  } catch {
    return false;
  }
}

export function listFilters(state: ExplorerState): FilterFileInfo[] {
  return state.col.filters.map((f) => filterInfo(state, f));
}

/** Deletes a filter file the explorer wrote (by file name) and unloads it. */
export function deleteExclusion(state: ExplorerState, name: string): { path: string } {
  if (!NAME.test(name)) throw new HttpError(400, `'${name}' is not the name of a filter file the explorer writes (mf_quarry_….yml)`);
  const hits = state.col.filters.filter((f) => basename(f.file) === name && isOwnFile(f));
  if (hits.length === 0) throw new HttpError(404, `no filter file '${name}' written by the explorer is loaded`);
  if (hits.length > 1) throw new HttpError(409, `several loaded filter files are named '${name}'`);
  const f = hits[0]!;
  const root = rootOf(state.roots, f.file);
  if (!root || root.isFile) throw new HttpError(403, 'the filter file is not inside a rules folder given to the explorer');
  const rel = relativePath(root, f.file);
  let file: string;
  try {
    file = resolveInside(root.dir, rel);
  } catch (e) {
    if (e instanceof PathRefused) throw new HttpError(403, `cannot delete the filter file: ${e.message}`);
    throw e;
  }
  try {
    unlinkSync(file);
  } catch (e) {
    throw fileRefusal(e, `cannot delete the filter file ${root.label}/${rel}`);
  }
  state.col.filters.splice(state.col.filters.indexOf(f), 1);
  removeDocument(state, f);
  state.generation++;
  return { path: `${root.label}/${rel}` };
}

/**
 * A file-system refusal as an answer the explorer can show: a read-only or foreign-owned rules
 * folder is the user's setup, not a server fault, so it gets its reason and a 4xx/507 status.
 */
function fileRefusal(e: unknown, what: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const reasons: Record<string, [number, string]> = {
    EACCES: [403, 'permission denied (is the rules folder read-only for this user?)'],
    EPERM: [403, 'operation not permitted'],
    EROFS: [403, 'the rules folder is on a read-only file system'],
    ENOSPC: [507, 'no space left on the device'],
    EDQUOT: [507, 'disk quota exceeded'],
    EEXIST: [409, 'a file of that name exists already'],
    ENOTDIR: [409, "'filters' in the rules folder is not a folder"],
    ENOENT: [404, 'the file is gone'],
  };
  const r = code ? reasons[code] : undefined;
  return r ? new HttpError(r[0], `${what}: ${r[1]} (${code})`) : e;
}
