// What the explorer serves, loaded once at startup: the rules roots, every document with its
// catalog entry and key, the Sigma filters in force, and the ATT&CK data. Tuning changes the
// filters; `generation` counts those changes so that caches keyed on it stay correct.
import { statSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { loadSigmaPaths, type LoadOptions, type SigmaCollection } from '../sigma/load.js';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import type { SigmaDocument, SigmaFilter } from '../sigma/model.js';
import type { AttackData } from '../catalog/attack.js';
import { catalogEntry, type CatalogEntry } from '../catalog/entry.js';
import { isInside, realBase } from './paths.js';

export interface RulesRoot {
  /** Shown in the catalog and in keys: the folder's name, made unique among the roots. */
  label: string;
  /** Absolute folder: the given folder, or the folder of a given file. */
  dir: string;
  /** The given path (absolute). */
  given: string;
  /** A single rule file was given: nothing may be written next to it. */
  isFile: boolean;
}

export interface LoadedDocument {
  key: string;
  doc: SigmaDocument;
  root: RulesRoot;
  /** Path relative to the root's folder, '/' separators. */
  path: string;
  entry: CatalogEntry;
}

export interface ExplorerState {
  roots: RulesRoot[];
  attack: AttackData;
  col: SigmaCollection;
  documents: LoadedDocument[];
  byKey: Map<string, LoadedDocument>;
  /** Bumped on every tuning change (filters added or removed). */
  generation: number;
}

export function makeRoots(paths: readonly string[]): RulesRoot[] {
  const roots: RulesRoot[] = [];
  const used = new Map<string, number>();
  for (const p of paths) {
    const given = realBase(p);
    let isFile = false;
    try {
      isFile = statSync(given).isFile();
    } catch {
      // Missing: loadSigmaPaths reports it as a rejected document; the root stays, empty.
    }
    const dir = isFile ? dirname(given) : given;
    const base = basename(dir) || 'rules';
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    roots.push({ label: n === 1 ? base : `${base}-${n}`, dir, given, isFile });
  }
  return roots;
}

/** The root a loaded file belongs to: the given file itself, or the deepest given folder holding it. */
export function rootOf(roots: readonly RulesRoot[], file: string): RulesRoot | undefined {
  const abs = resolve(file);
  let best: RulesRoot | undefined;
  for (const r of roots) {
    const hit = r.isFile ? r.given === abs : isInside(r.dir, abs);
    if (hit && (!best || r.dir.length > best.dir.length)) best = r;
  }
  return best;
}

export function relativePath(root: RulesRoot, file: string): string {
  return relative(root.dir, resolve(file)).split(sep).join('/');
}

/** `load`: how to read the rules (the rule cache, sigma/rule-cache.ts, when the explorer starts with it). */
export function loadExplorerState(paths: readonly string[], attack: AttackData, load: LoadOptions = {}): ExplorerState {
  const roots = makeRoots(paths);
  const col = loadSigmaPaths(roots.map((r) => r.given), load);
  const state: ExplorerState = { roots, attack, col, documents: [], byKey: new Map(), generation: 0 };
  const docs: SigmaDocument[] = [...col.rules, ...col.correlations, ...col.filters];
  // Files in path order, then documents in file order: the catalog's natural order.
  docs.sort((a, b) => a.file.localeCompare(b.file) || a.docIndex - b.docIndex);
  const idCount = new Map<string, number>();
  for (const d of docs) if (d.id) idCount.set(d.id, (idCount.get(d.id) ?? 0) + 1);
  for (const doc of docs) addDocument(state, doc, idCount);
  return state;
}

/** Adds one accepted document (at load, or a filter file written by tuning). */
export function addDocument(state: ExplorerState, doc: SigmaDocument, idCount?: Map<string, number>): LoadedDocument {
  const root = rootOf(state.roots, doc.file) ?? state.roots[0]!;
  const path = relativePath(root, doc.file);
  const entry = catalogEntry(doc, { label: root.label, dir: root.dir }, state.attack);
  // The id is the key while it is unique; a repeated id (or none) falls back to the document's place.
  const repeated = doc.id ? (idCount ? (idCount.get(doc.id) ?? 0) > 1 : state.byKey.has(doc.id)) : true;
  let key = !repeated && doc.id ? doc.id : `${root.label}/${path}#${doc.docIndex}`;
  while (state.byKey.has(key)) key += '~';
  const loaded: LoadedDocument = { key, doc, root, path, entry: { ...entry, key } };
  state.documents.push(loaded);
  state.byKey.set(key, loaded);
  return loaded;
}

export function removeDocument(state: ExplorerState, doc: SigmaDocument): void {
  const i = state.documents.findIndex((d) => d.doc === doc);
  if (i >= 0) {
    state.byKey.delete(state.documents[i]!.key);
    state.documents.splice(i, 1);
  }
}

export function filters(state: ExplorerState): SigmaFilter[] {
  return state.col.filters;
}

/** Rejected documents with their first error, located: `label/path:line:col message`. */
export function rejectedList(state: ExplorerState): Array<{ file: string; message: string }> {
  return state.col.rejected.map((r) => {
    const root = rootOf(state.roots, r.file);
    const file = root ? `${root.label}/${relativePath(root, r.file)}` : r.file;
    const e = r.diagnostics.find((d) => d.severity === 'error') ?? r.diagnostics[0];
    return { file, message: e ? formatDiagnostic({ ...e, file }) : 'rejected' };
  });
}
