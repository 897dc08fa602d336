import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CatalogEntry } from '../../src/catalog/entry.js';
import { buildIndex, FACETS, queryFromParams, queryToParams, search, type CatalogQuery, type FacetName } from '../../src/catalog/search.js';
import { parseQueryText } from '../../src/catalog/query-text.js';
import { corpusEntries } from './corpus.js';

const { entries } = corpusEntries();
const index = buildIndex(entries);
const SEED = '9eb68894-7476-4cd6-8752-23b51f5883a7';
const seedIndex = entries.findIndex((e) => e.key === SEED);

/** Independent of the index: an entry's searchable words, by a regex rather than the tokenizer. */
function wordsOf(e: CatalogEntry): Set<string> {
  const text = [e.title, (e.id ?? '').split('-')[0]!, ...e.tags, ...e.techniques, ...e.techniqueNames, ...e.fields, e.product ?? '', e.category ?? '', e.service ?? '', e.description, ...e.authors, ...e.values, ...e.falsepositives].join('\n');
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.slice(0, 40)));
}
const entryWords = entries.map(wordsOf);
function bruteText(words: string[], lastIsPrefix: boolean): number[] {
  const out: number[] = [];
  entryWords.forEach((ws, i) => {
    const ok = words.every((w, k) => (lastIsPrefix && k === words.length - 1 ? [...ws].some((x) => x.startsWith(w)) : ws.has(w)));
    if (ok) out.push(i);
  });
  return out;
}
const q = (text: string, filters: CatalogQuery['filters'] = {}, sort: CatalogQuery['sort'] = 'relevance'): CatalogQuery => ({ text, filters, sort });
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

test('full text: every word must match, the last one as a prefix while typing', () => {
  for (const [text, words, prefix] of [
    ['bitsadmin', ['bitsadmin'], true],
    ['bitsadm', ['bitsadm'], true],
    ['bitsadmin ', ['bitsadmin'], false],
    ['powershell -enc', ['powershell', 'enc'], true],
    ['uncommon tld', ['uncommon', 'tld'], true],
    ['LSASS', ['lsass'], true],
    ['b', ['b'], true],
  ] as Array<[string, string[], boolean]>) {
    const r = search(index, q(text));
    assert.deepEqual(sorted(r.hits), bruteText(words, prefix), text);
    assert.equal(r.total, r.hits.length);
  }
  assert.ok(search(index, q('bitsadm')).hits.includes(seedIndex));
  assert.equal(search(index, q('bitsadm ')).total, 0, 'a finished word must match whole');
  assert.equal(search(index, q('zzzzqqq')).total, 0);
  assert.equal(search(index, q('')).total, entries.length);
});

test('relevance: title hits rank above hits only in description or values', () => {
  const r = search(index, q('bitsadmin'));
  const inTitle = r.hits.map((i) => /bitsadmin/i.test(entries[i]!.title));
  const firstMiss = inTitle.indexOf(false);
  assert.ok(firstMiss > 0, 'some title hits first');
  assert.ok(inTitle.slice(firstMiss).every((x) => !x), 'no title hit after a non-title hit');
  assert.ok(r.hits.slice(0, firstMiss).includes(seedIndex));
});

test('key:value terms: level, tag, field, technique (parents select sub-techniques), id', () => {
  const same = (text: string, pred: (e: CatalogEntry) => boolean) =>
    assert.deepEqual(sorted(search(index, q(text)).hits), entries.flatMap((e, i) => (pred(e) ? [i] : [])), text);
  same('level:high', (e) => e.level === 'high');
  same('level:critical ', (e) => e.level === 'critical');
  same('tag:t1197', (e) => e.tags.includes('attack.t1197'));
  same('tag:attack.t1197', (e) => e.tags.includes('attack.t1197'));
  same('field:cs-host', (e) => e.fields.some((f) => f.toLowerCase() === 'cs-host'));
  same('technique:t1071', (e) => e.techniques.some((t) => t === 'T1071' || t.startsWith('T1071.')));
  same(`id:${SEED.slice(0, 8)}`, (e) => e.key.startsWith(SEED.slice(0, 8)));
  // A pasted id, whole or cut short, finds its rule; its first group is also an ordinary word.
  assert.deepEqual(search(index, q(SEED)).hits, [seedIndex]);
  assert.deepEqual(search(index, q(`${SEED.slice(0, 13)} `)).hits, [seedIndex]);
  assert.ok(search(index, q(SEED.slice(0, 6))).hits.includes(seedIndex));
  same('author:"Florian Roth (Nextron Systems)" ', (e) => e.authors.includes('Florian Roth (Nextron Systems)'));
  // Typing the value: a prefix.
  same('level:hi', (e) => e.level === 'high');
  // Combined with words.
  const both = search(index, q('bitsadmin level:high')).hits;
  assert.deepEqual(sorted(both), bruteText(['bitsadmin'], false).filter((i) => entries[i]!.level === 'high'));
  assert.ok(both.includes(seedIndex));
  // An unknown key is text: `https:` is not a filter.
  assert.deepEqual(parseQueryText('https://x'), [
    { kind: 'word', word: 'https', prefix: false },
    { kind: 'word', word: 'x', prefix: true },
  ]);
});

/** Independent facet values of an entry. */
function values(e: CatalogEntry, f: FacetName): string[] {
  if (f === 'technique') return [...new Set(e.techniques.flatMap((t) => [t, t.split('.')[0]!]))];
  if (f === 'tactic') return e.tactics;
  if (f === 'author') return e.authors;
  if (f === 'year') return e.date ? [e.date.slice(0, 4)] : [];
  if (f === 'modified') return e.modified ? [e.modified.slice(0, 4)] : [];
  const v = e[f];
  return v ? [v] : [];
}

test('facets: disjunctive counts equal a brute-force count over the entries', () => {
  const cases: CatalogQuery[] = [
    q(''),
    q('', { level: ['high', 'critical'] }),
    q('powershell', { level: ['high'], product: ['windows'] }),
    q('bits', { tactic: ['stealth', 'persistence'], year: ['2023', '2022'] }),
    q('', { technique: ['T1071'], type: ['detection', 'threat-hunting'], author: ['Florian Roth (Nextron Systems)'] }),
    q('level:medium', { modified: ['2024'], category: ['process_creation'] }),
  ];
  for (const query of cases) {
    const r = search(index, query);
    const text = new Set(search(index, q(query.text)).hits);
    const passes = (e: CatalogEntry, i: number, skip?: FacetName) =>
      text.has(i) && FACETS.every((f) => f === skip || !query.filters[f]?.length || values(e, f).some((v) => query.filters[f]!.includes(v)));
    assert.deepEqual(sorted(r.hits), entries.flatMap((e, i) => (passes(e, i) ? [i] : [])), JSON.stringify(query));
    for (const f of FACETS) {
      const expected = new Map<string, number>();
      entries.forEach((e, i) => {
        if (passes(e, i, f)) for (const v of values(e, f)) expected.set(v, (expected.get(v) ?? 0) + 1);
      });
      for (const s of query.filters[f] ?? []) if (!expected.has(s)) expected.set(s, 0);
      const got = new Map(r.facets[f].map((x) => [x.value, x.count]));
      assert.deepEqual(got, expected, `${f} of ${JSON.stringify(query)}`);
    }
  }
  // Picking a second level adds hits: the level facet does not narrow its own counts.
  const one = search(index, q('', { level: ['high'] }));
  const highCount = one.facets.level.find((x) => x.value === 'high')!.count;
  const critCount = one.facets.level.find((x) => x.value === 'critical')!.count;
  assert.equal(one.total, highCount);
  assert.equal(search(index, q('', { level: ['high', 'critical'] })).total, highCount + critCount);
  assert.deepEqual(one.facets.level.map((x) => x.value).slice(0, 5), ['critical', 'high', 'medium', 'low', 'informational']);
});

test('sorting: title, level, created and modified (newest first)', () => {
  const titles = search(index, q('', {}, 'title')).hits.map((i) => entries[i]!.title.toLowerCase());
  assert.deepEqual(titles, [...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const levels = search(index, q('', {}, 'level')).hits.map((i) => ['critical', 'high', 'medium', 'low', 'informational'].indexOf(entries[i]!.level ?? ''));
  assert.deepEqual(levels, [...levels].sort((a, b) => a - b));
  for (const sort of ['date', 'modified'] as const) {
    const dates = search(index, q('proc', {}, sort)).hits.map((i) => (sort === 'date' ? entries[i]!.date : entries[i]!.modified ?? entries[i]!.date) ?? '');
    assert.deepEqual(dates, [...dates].sort().reverse(), sort);
  }
});

test('URL state round trip', () => {
  const query: CatalogQuery = { text: 'bitsadmin level:high "a b"', filters: { level: ['high', 'critical'], technique: ['T1197'], author: ['Florian Roth (Nextron Systems)'], year: ['2019'] }, sort: 'modified' };
  const p = queryToParams(query);
  assert.equal(p.getAll('level').length, 2);
  assert.deepEqual(queryFromParams(new URLSearchParams(p.toString())), query);
  assert.deepEqual(queryFromParams(new URLSearchParams('')), { text: '', filters: {}, sort: 'relevance' });
  assert.deepEqual(queryFromParams(new URLSearchParams('sort=bogus&level=&nonsense=1')), { text: '', filters: {}, sort: 'relevance' });
  assert.equal(queryToParams({ text: '', filters: {}, sort: 'relevance' }).toString(), '');
});
