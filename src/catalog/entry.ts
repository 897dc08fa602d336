// One catalog entry per Sigma document: what the explorer lists, searches and facets on. Everything
// here is plain JSON (the browser downloads the entries), derived from the parsed document only.
import type { CorrelationType, Detection, DetectionGroup, DetectionItem, SigmaDocument } from '../sigma/model.js';
import type { SigmaValue } from '../sigma/values.js';
import { currentTactics, resolveTags, type AttackData } from './attack.js';

export interface CatalogEntry {
  /** Unique and URL-safe-ish: the rule id, or `${root}/${path}#${docIndex}` when there is no id or the id repeats (see uniqueKeys). */
  key: string;
  id: string | null;
  kind: 'rule' | 'correlation' | 'filter';
  /** A correlation's type (event_count, temporal, …); absent on rules and filters. */
  correlation?: CorrelationType;
  /** Label of the rules root given to the explorer (its folder name). */
  root: string;
  /** File path relative to that root, '/' separators. */
  path: string;
  docIndex: number;
  title: string;
  description: string;
  level: string | null;
  status: string | null;
  /** From the SigmaHQ corpus folder (rules/, rules-threat-hunting/, …); a user's own folder → 'detection'. */
  type: string;
  product: string | null;
  category: string | null;
  service: string | null;
  /** Current ATT&CK tactic short names (after the v19 rename/split), matrix order. */
  tactics: string[];
  /** Technique ids, upper case, as tagged (sub-techniques kept). */
  techniques: string[];
  /** Names of those techniques and of a sub-technique's parent, so a search for "BITS Jobs" finds the rules tagged T1197. */
  techniqueNames: string[];
  authors: string[];
  /** YYYY-MM-DD */
  date: string | null;
  modified: string | null;
  tags: string[];
  /** Field names the detection uses (correlations: their group-by fields). */
  fields: string[];
  /** Literal values of the detection for full-text search, deduplicated, capped (see valuesDropped). */
  values: string[];
  falsepositives: string[];
  /** How many values were left out of `values` by the cap (absent when none). */
  valuesDropped?: number;
}

/** SigmaHQ's rule folders and the rule type each stands for. */
export const CORPUS_TYPES: Readonly<Record<string, string>> = {
  rules: 'detection',
  'rules-threat-hunting': 'threat-hunting',
  'rules-emerging-threats': 'emerging-threats',
  'rules-compliance': 'compliance',
  'rules-placeholder': 'placeholder',
  'rules-dfir': 'dfir',
  deprecated: 'deprecated',
  unsupported: 'unsupported',
};

/** Caps that keep the download small; the cap is reported per entry in valuesDropped. */
export const MAX_VALUES = 200;
export const MAX_VALUE_LENGTH = 200;

const slash = (p: string) => p.replace(/\\/g, '/');
const baseName = (p: string) => slash(p).replace(/\/+$/, '').split('/').pop() ?? p;

/** The path of `file` relative to `dir` ('/' separators); the file itself when it is not under dir. */
export function relativePath(file: string, dir: string): string {
  const f = slash(file);
  const d = slash(dir).replace(/\/+$/, '');
  if (d && f.startsWith(`${d}/`)) return f.slice(d.length + 1);
  if (d === '.' || d === '') return f.replace(/^\.\//, '');
  return baseName(f);
}

/** Rule type from the corpus folder: the root's own name, else the first folder of the path (a root above the folders). */
export function ruleType(rootDir: string, path: string): string {
  const own = CORPUS_TYPES[baseName(rootDir)];
  if (own) return own;
  const first = path.split('/')[0] ?? '';
  return (path.includes('/') && CORPUS_TYPES[first]) || 'detection';
}

/** Splits an author field on commas, ' and ', '&' and ';' outside parentheses ("A (Org, Team), B and C"). */
export function splitAuthors(author: string | undefined): string[] {
  if (!author) return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  const push = () => {
    const a = cur.trim().replace(/^and\s+/i, '');
    if (a) out.push(a);
    cur = '';
  };
  for (let i = 0; i < author.length; i++) {
    const c = author[i]!;
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    if (depth === 0 && (c === ',' || c === ';' || c === '&' || c === '\n')) {
      push();
      continue;
    }
    if (depth === 0 && / and $/i.test(cur + c) && author.slice(i + 1).trim()) {
      cur = cur.slice(0, -4);
      push();
      continue;
    }
    cur += c;
  }
  push();
  return [...new Set(out)];
}

/** YYYY-MM-DD from the forms rules use (YYYY-MM-DD, YYYY/MM/DD); null when it is not a date. */
export function normalizeDate(value: string | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/.exec(value.trim());
  if (!m) return null;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/** A value as text, wildcards as written; encoded (byte) strings with their control bytes removed. */
export function valueText(v: SigmaValue): string | null {
  switch (v.type) {
    case 'string': {
      let s = '';
      for (const p of v.parts) s += typeof p === 'string' ? p : 'wildcard' in p ? p.wildcard : `%${p.placeholder}%`;
      // utf16 encodings interleave NUL bytes: the text a user searches for is what is left.
      if (v.encoding === 'bytes') s = s.replace(/[\x00-\x1f\x7f-\x9f]/g, '');
      return s;
    }
    case 'number':
      return v.text;
    case 'bool':
      return String(v.value);
    case 'null':
      return 'null';
    case 're':
      return v.pattern;
    case 'cidr':
      return v.text;
    case 'compare':
      return `${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[v.op]}${v.value}`;
    case 'exists':
      return null;
    case 'fieldref':
      return null;
  }
}

function walk(node: DetectionGroup | DetectionItem, fields: Set<string>, values: Set<string>): void {
  if ('children' in node) {
    for (const c of node.children) walk(c, fields, values);
    return;
  }
  if (node.field) fields.add(node.field);
  for (const v of node.values) {
    if (v.type === 'fieldref') fields.add(v.field);
    const text = valueText(v);
    if (text) values.add(text);
  }
}

function detectionsOf(doc: SigmaDocument): Detection[] {
  return doc.kind === 'correlation' ? [] : [...doc.detections.values()];
}

function techniqueNames(ids: readonly string[], attack: AttackData): string[] {
  const names = new Set<string>();
  for (const id of ids) {
    const t = attack.techniques[id];
    if (t?.name) names.add(t.name);
    const parent = t?.parent ? attack.techniques[t.parent] : undefined;
    if (parent?.name) names.add(parent.name);
  }
  return [...names];
}

export function catalogEntry(doc: SigmaDocument, root: { label: string; dir: string }, attack: AttackData): CatalogEntry {
  const path = relativePath(doc.file, root.dir);
  const fields = new Set<string>();
  const values = new Set<string>();
  for (const d of detectionsOf(doc)) walk(d.body, fields, values);
  if (doc.kind === 'correlation') for (const f of doc.correlation.groupBy) fields.add(f);
  const allValues = [...values].map((v) => (v.length > MAX_VALUE_LENGTH ? v.slice(0, MAX_VALUE_LENGTH) : v));
  const kept = [...new Set(allValues)].slice(0, MAX_VALUES);

  const tags = [...doc.tags];
  const resolved = resolveTags(tags, attack);
  const techniques = [...new Set(resolved.filter((r) => r.kind === 'technique' && r.id).map((r) => r.id!))];
  let tactics = currentTactics(resolved, attack);
  if (!resolved.some((r) => r.kind === 'tactic')) {
    // A rule that tags techniques only still belongs somewhere in the matrix: its techniques' tactics.
    const set = new Set(techniques.flatMap((t) => attack.techniques[t]?.tactics ?? []));
    tactics = attack.tactics.filter((t) => set.has(t.shortname)).map((t) => t.shortname);
  }
  const logsource = doc.kind === 'correlation' ? {} : doc.logsource;
  const entry: CatalogEntry = {
    key: doc.id ?? `${root.label}/${path}#${doc.docIndex}`,
    id: doc.id ?? null,
    kind: doc.kind,
    root: root.label,
    path,
    docIndex: doc.docIndex,
    title: doc.title,
    description: doc.description ?? '',
    level: doc.level ?? null,
    status: doc.status ?? null,
    type: ruleType(root.dir, path),
    product: logsource.product ?? null,
    category: logsource.category ?? null,
    service: logsource.service ?? null,
    tactics,
    techniques,
    techniqueNames: techniqueNames(techniques, attack),
    authors: splitAuthors(doc.author),
    date: normalizeDate(doc.date),
    modified: normalizeDate(doc.modified),
    tags,
    fields: [...fields],
    values: kept,
    falsepositives: [...doc.falsepositives],
  };
  if (doc.kind === 'correlation') entry.correlation = doc.correlation.type;
  if (values.size > kept.length) entry.valuesDropped = values.size - kept.length;
  return entry;
}

/**
 * Makes keys unique across a catalog: an id used by more than one document keys each of them by
 * location instead, so no entry shadows another. Returns the number of entries re-keyed.
 */
export function uniqueKeys(entries: CatalogEntry[]): number {
  const count = new Map<string, number>();
  for (const e of entries) count.set(e.key, (count.get(e.key) ?? 0) + 1);
  let changed = 0;
  for (const e of entries) {
    if (count.get(e.key)! > 1) {
      e.key = `${e.root}/${e.path}#${e.docIndex}`;
      changed++;
    }
  }
  return changed;
}

/** Entries for every document of a loaded collection under one root, keys made unique. */
export function catalogEntries(docs: readonly SigmaDocument[], root: { label: string; dir: string }, attack: AttackData): CatalogEntry[] {
  const entries = docs.map((d) => catalogEntry(d, root, attack));
  uniqueKeys(entries);
  return entries;
}
