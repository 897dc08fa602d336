// Catalog search for the explorer, run in the browser on every keystroke: full-text over an inverted
// index built once (word → sorted entry indices with the best zone weight), `key:value` terms, facets
// with disjunctive counts, sorting by precomputed ranks, and the query's round trip through the URL.
import type { CatalogEntry } from './entry.js';
import { lowerBound, prefixRange, tokenize } from './tokens.js';
import { parseQueryText, type QueryTerm } from './query-text.js';

export const FACETS = ['level', 'status', 'type', 'product', 'category', 'service', 'tactic', 'technique', 'author', 'year', 'modified', 'kind', 'correlation', 'root'] as const;
export type FacetName = (typeof FACETS)[number];
export const SORTS = ['relevance', 'title', 'level', 'date', 'modified'] as const;
export type SortName = (typeof SORTS)[number];

export interface CatalogQuery {
  text: string;
  filters: Partial<Record<FacetName, string[]>>;
  sort: SortName;
}

export interface SearchResult {
  /** Entry indices, in the order of the query's sort. */
  hits: number[];
  total: number;
  /** Per facet, its values with the number of hits they would have with every other facet's filter applied but not its own. */
  facets: Record<FacetName, Array<{ value: string; count: number }>>;
}

/** Zone weights: a title hit ranks above an id/tag hit, above a field name, above description and values. */
const ZONES: Array<{ weight: number; text: (e: CatalogEntry) => string[] }> = [
  { weight: 16, text: (e) => [e.title] },
  // An id is indexed by its first group only: the other groups of a UUID are noise words nobody types
  // (a whole pasted id is an `id:` term, see query-text.ts).
  { weight: 8, text: (e) => [idHead(e.id), ...e.tags, ...e.techniques, ...e.techniqueNames] },
  { weight: 6, text: (e) => [...e.fields, e.product ?? '', e.category ?? '', e.service ?? ''] },
  { weight: 4, text: (e) => [e.description, ...e.authors] },
  { weight: 2, text: (e) => [...e.values, ...e.falsepositives] },
];
function idHead(id: string | null): string {
  if (!id) return '';
  const dash = id.indexOf('-');
  return dash > 0 ? id.slice(0, dash) : id;
}

/** A word that only starts a longer indexed word counts for less than one met exactly. */
const PREFIX_FACTOR = 0.6;

const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

/** The full-text part of the index. */
export interface TextIndex {
  /** Sorted dictionary. The entries of words[i] are postings[starts[i] .. starts[i+1]), sorted, with their best zone weight in weights. */
  words: string[];
  starts: Int32Array;
  postings: Int32Array;
  weights: Uint8Array;
}

export interface CatalogIndex {
  entries: readonly CatalogEntry[];
  /**
   * Built on first use (textIndex()): it is most of the index's cost, and the catalog's first page,
   * with no search text, does not need it; the page builds it while idle.
   */
  text: TextIndex | null;
  /** Per facet: its distinct values, and per entry the ids of its values. */
  facetValues: Record<FacetName, string[]>;
  facetOf: Record<FacetName, Int32Array[]>;
  /** Per sort: the position of each entry in that order. */
  ranks: Record<Exclude<SortName, 'relevance'>, Int32Array>;
}

/** The values an entry has for a facet. Techniques also count under their parent: T1071 selects T1071.001 rules. */
export function facetValuesOf(e: CatalogEntry, f: FacetName): string[] {
  switch (f) {
    case 'tactic':
      return e.tactics;
    case 'technique': {
      const out = new Set<string>();
      for (const t of e.techniques) {
        out.add(t);
        const dot = t.indexOf('.');
        if (dot > 0) out.add(t.slice(0, dot));
      }
      return [...out];
    }
    case 'author':
      return e.authors;
    case 'year':
      return e.date ? [e.date.slice(0, 4)] : [];
    case 'modified':
      return e.modified ? [e.modified.slice(0, 4)] : [];
    default: {
      const v = e[f];
      return v ? [v] : [];
    }
  }
}

/** The index's text part, built now if it was not yet. */
export function textIndex(index: CatalogIndex): TextIndex {
  return (index.text ??= buildTextIndex(index.entries));
}

function buildTextIndex(entries: readonly CatalogEntry[]): TextIndex {
  // Words get small integer ids; per word, its entries and best zone weight in each. Entries are
  // visited in order, so each list comes out sorted and an entry's repeat can only be the last item.
  const wordId = new Map<string, number>();
  const ids: number[][] = [];
  const ws: number[][] = [];
  entries.forEach((e, i) => {
    for (const zone of ZONES) {
      for (const text of zone.text(e)) {
        if (!text) continue;
        for (const word of tokenize(text)) {
          let id = wordId.get(word);
          if (id === undefined) {
            wordId.set(word, (id = ids.length));
            ids.push([i]);
            ws.push([zone.weight]);
            continue;
          }
          const list = ids[id]!;
          const last = list.length - 1;
          if (list[last] !== i) {
            list.push(i);
            ws[id]!.push(zone.weight);
          } else if (ws[id]![last]! < zone.weight) ws[id]![last] = zone.weight;
        }
      }
    }
  });
  // Three flat arrays rather than one typed array per word: tens of thousands fewer allocations at page load.
  const words = [...wordId.keys()].sort();
  const starts = new Int32Array(words.length + 1);
  let total = 0;
  for (const list of ids) total += list.length;
  const postings = new Int32Array(total);
  const weights = new Uint8Array(total);
  let at = 0;
  words.forEach((w, k) => {
    const id = wordId.get(w)!;
    const list = ids[id]!;
    const wl = ws[id]!;
    starts[k] = at;
    for (let j = 0; j < list.length; j++, at++) {
      postings[at] = list[j]!;
      weights[at] = wl[j]!;
    }
  });
  starts[words.length] = at;
  return { words, starts, postings, weights };
}

export function buildIndex(entries: readonly CatalogEntry[]): CatalogIndex {
  const facetValues = {} as Record<FacetName, string[]>;
  const facetOf = {} as Record<FacetName, Int32Array[]>;
  for (const f of FACETS) {
    const ids = new Map<string, number>();
    facetOf[f] = entries.map((e) => {
      const vs = facetValuesOf(e, f);
      const out = new Int32Array(vs.length);
      vs.forEach((v, k) => {
        let id = ids.get(v);
        if (id === undefined) ids.set(v, (id = ids.size));
        out[k] = id;
      });
      return out;
    });
    facetValues[f] = [...ids.keys()];
  }

  const titles = entries.map((e) => e.title.toLowerCase());
  const byTitle = (a: number, b: number) => (titles[a]! < titles[b]! ? -1 : titles[a]! > titles[b]! ? 1 : 0);
  const order = (cmp: (a: CatalogEntry, b: CatalogEntry) => number): Int32Array => {
    const idx = entries.map((_, i) => i).sort((a, b) => cmp(entries[a]!, entries[b]!) || byTitle(a, b) || a - b);
    const rank = new Int32Array(entries.length);
    idx.forEach((entry, pos) => (rank[entry] = pos));
    return rank;
  };
  const levelPos = (e: CatalogEntry) => {
    const i = LEVEL_ORDER.indexOf(e.level ?? '');
    return i < 0 ? LEVEL_ORDER.length : i;
  };
  // Newest first; entries without a date last.
  const newest = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? 1 : -1);
  const ranks = {
    title: order(() => 0),
    level: order((a, b) => levelPos(a) - levelPos(b)),
    date: order((a, b) => newest(a.date, b.date)),
    modified: order((a, b) => newest(a.modified ?? a.date, b.modified ?? b.date)),
  };
  return { entries, text: null, facetValues, facetOf, ranks };
}

/**
 * Entries matching every word of the text (the last one as a prefix while the user is still typing it)
 * and every `key:value` term, with a relevance score; null when the query has no text (all match).
 */
function matchText(index: CatalogIndex, terms: QueryTerm[]): { match: Uint8Array; score: Float64Array } | null {
  if (terms.length === 0) return null;
  const n = index.entries.length;
  const score = new Float64Array(n);
  // matched[e] = how many terms entry e has met so far; it stays in the race only while it met all of them.
  const matched = new Uint16Array(n);
  const best = new Float64Array(n);
  let step = 0;
  for (const term of terms) {
    if (term.kind === 'word') {
      const { words, starts, postings, weights } = textIndex(index);
      const [from, to] = term.prefix ? prefixRange(words, term.word) : exactRange(words, term.word);
      for (let k = from; k < to; k++) {
        const factor = words[k] === term.word ? 1 : PREFIX_FACTOR;
        for (let j = starts[k]!, end = starts[k + 1]!; j < end; j++) {
          const e = postings[j]!;
          if (matched[e] === step) {
            matched[e] = step + 1;
            best[e] = weights[j]! * factor;
          } else if (matched[e] === step + 1) best[e] = Math.max(best[e]!, weights[j]! * factor);
        }
      }
      for (let e = 0; e < n; e++) if (matched[e] === step + 1) score[e]! += best[e]!;
    } else {
      for (let e = 0; e < n; e++) if (matched[e] === step && keyMatches(index, e, term)) matched[e] = step + 1;
    }
    step++;
  }
  const match = new Uint8Array(n);
  for (let e = 0; e < n; e++) if (matched[e] === step) match[e] = 1;
  return { match, score };
}

function exactRange(words: readonly string[], word: string): [number, number] {
  const i = lowerBound(words, word);
  return words[i] === word ? [i, i + 1] : [i, i];
}

const FACET_KEYS = new Set<string>(FACETS);

/** `key:value` terms: facets compare whole values, `tag:` a tag or its last part, `field:` a field name, `id:` an id's start. */
function keyMatches(index: CatalogIndex, e: number, term: Extract<QueryTerm, { kind: 'key' }>): boolean {
  const entry = index.entries[e]!;
  const v = term.value;
  const eq = (s: string) => {
    const x = s.toLowerCase();
    return term.prefix ? x.startsWith(v) : x === v;
  };
  if (FACET_KEYS.has(term.key)) return facetValuesOf(entry, term.key as FacetName).some(eq);
  switch (term.key) {
    case 'tag':
      return entry.tags.some((t) => eq(t) || eq(t.slice(t.indexOf('.') + 1)));
    case 'field':
      return entry.fields.some(eq);
    case 'id':
      return (entry.id ?? '').toLowerCase().startsWith(v) || entry.key.toLowerCase().startsWith(v);
    default:
      return false;
  }
}

export function search(index: CatalogIndex, q: CatalogQuery): SearchResult {
  const n = index.entries.length;
  const text = matchText(index, parseQueryText(q.text));
  // The facets that filter, each as the set of its selected value ids.
  const active: Array<{ f: FacetName; slot: number; selected: Set<number> }> = [];
  for (const f of FACETS) {
    const wanted = q.filters[f];
    if (!wanted?.length) continue;
    const values = index.facetValues[f];
    const selected = new Set<number>();
    for (const w of wanted) {
      const id = values.indexOf(w);
      if (id >= 0) selected.add(id);
    }
    active.push({ f, slot: active.length, selected });
  }
  const counts = {} as Record<FacetName, Int32Array>;
  for (const f of FACETS) counts[f] = new Int32Array(index.facetValues[f].length);
  const hits: number[] = [];
  for (let e = 0; e < n; e++) {
    if (text && !text.match[e]) continue;
    // Disjunctive facets: an entry failing exactly one facet's filter still counts in that facet.
    let failed = -1;
    let fails = 0;
    for (const a of active) {
      const ids = index.facetOf[a.f][e]!;
      let ok = false;
      for (let k = 0; k < ids.length && !ok; k++) ok = a.selected.has(ids[k]!);
      if (!ok) {
        fails++;
        failed = a.slot;
        if (fails > 1) break;
      }
    }
    if (fails > 1) continue;
    if (fails === 0) hits.push(e);
    for (const f of FACETS) {
      if (fails === 1 && active[failed]!.f !== f) continue;
      const ids = index.facetOf[f][e]!;
      const c = counts[f];
      for (let k = 0; k < ids.length; k++) c[ids[k]!]!++;
    }
  }
  sortHits(index, hits, q.sort, text?.score);
  const facets = {} as SearchResult['facets'];
  for (const f of FACETS) facets[f] = facetList(f, index.facetValues[f], counts[f], q.filters[f] ?? []);
  return { hits, total: hits.length, facets };
}

function sortHits(index: CatalogIndex, hits: number[], sort: SortName, score: Float64Array | undefined): void {
  const title = index.ranks.title;
  if (sort === 'relevance') {
    if (score) hits.sort((a, b) => score[b]! - score[a]! || title[a]! - title[b]!);
    else hits.sort((a, b) => title[a]! - title[b]!);
    return;
  }
  const rank = index.ranks[sort] ?? title;
  hits.sort((a, b) => rank[a]! - rank[b]!);
}

/** Values with a count (selected ones even at zero), most frequent first; levels by severity, years newest first. */
function facetList(f: FacetName, values: string[], counts: Int32Array, selected: readonly string[]): Array<{ value: string; count: number }> {
  const out: Array<{ value: string; count: number }> = [];
  values.forEach((value, id) => {
    if (counts[id]! > 0 || selected.includes(value)) out.push({ value, count: counts[id]! });
  });
  for (const s of selected) if (!values.includes(s)) out.push({ value: s, count: 0 });
  if (f === 'level') {
    const pos = (v: string) => (LEVEL_ORDER.indexOf(v) + LEVEL_ORDER.length + 1) % (LEVEL_ORDER.length + 1);
    out.sort((a, b) => pos(a.value) - pos(b.value) || (a.value < b.value ? -1 : 1));
  } else if (f === 'year' || f === 'modified') out.sort((a, b) => (a.value < b.value ? 1 : a.value > b.value ? -1 : 0));
  else out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return out;
}

/** The query as URL parameters: `q`, `sort` (unless relevance), and one parameter per selected facet value. */
export function queryToParams(q: CatalogQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.text) p.set('q', q.text);
  if (q.sort !== 'relevance') p.set('sort', q.sort);
  for (const f of FACETS) for (const v of q.filters[f] ?? []) p.append(f, v);
  return p;
}

export function queryFromParams(p: URLSearchParams): CatalogQuery {
  const sort = p.get('sort');
  const filters: CatalogQuery['filters'] = {};
  for (const f of FACETS) {
    const vs = [...new Set(p.getAll(f).filter((v) => v !== ''))];
    if (vs.length) filters[f] = vs;
  }
  return { text: p.get('q') ?? '', filters, sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as SortName) : 'relevance' };
}

export { tokenize };
