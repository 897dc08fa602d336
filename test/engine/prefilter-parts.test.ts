// The prefilter's parts, each against a plain reference: the automaton against String#includes on
// seeded random texts, the regex literal reader against RE2 itself, and the prefilter's keyword and
// non-ASCII handling against the detector without a prefilter. The corpus-wide comparison is
// prefilter.test.ts (corpus tier).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AhoCorasick } from '../../src/engine/aho-corasick.js';
import { requiredLiterals } from '../../src/engine/regex-literals.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { Detector } from '../../src/engine/detector.js';
import { EventView } from '../../src/engine/event-access.js';
import { LiteralPrefilter, packAnchor, type Anchor } from '../../src/engine/prefilter.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { parseSigmaText, emptyCollection, addParsedFile, checkCollection } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import type { ProcessingPipeline } from '../../src/pipeline/types.js';

/** A small deterministic generator (xorshift): the same cases on every run. */
function random(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

// ASCII with both cases, path characters, and more than 32 distinct non-ASCII characters (dashes,
// Cyrillic and small-capital look-alikes, an emoji's surrogates) so that they share columns.
const ALPHABET = ['a', 'b', 'c', 'A', 'B', '.', '\\', ' ', ...'é\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u04bb\u0501\u051b\u051d\u0261\u1d00\u1d04\u1d05\u1d07\u1d0a\u1d0b\u1d0d\u1d0f\u1d18\u1d1b\u1d1c\u1d20', '\u{1F600}'];

function text(rnd: () => number, max: number): string {
  let s = '';
  const n = Math.floor(rnd() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  return s;
}

test('Aho–Corasick finds every occurrence of overlapping patterns', () => {
  const patterns = ['he', 'she', 'his', 'hers', 'e', '\u{1F600}'];
  const ac = new AhoCorasick(patterns);
  const found = new Set<string>();
  ac.scan('ushers \u{1F600}', (id) => found.add(patterns[id]!));
  assert.deepEqual([...found].sort(), ['e', 'he', 'hers', 'she', '\u{1F600}'].sort());
});

test('Aho–Corasick never misses a pattern the lower-cased text contains (scan and scanFolded; full rows and sparse states)', () => {
  const rnd = random(7);
  let overSelected = 0;
  for (let round = 0; round < 3000; round++) {
    const patterns = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => text(rnd, 5).toLowerCase()).filter((p) => p))];
    const t = text(rnd, 40);
    const lower = t.toLowerCase();
    const want = patterns.flatMap((p, i) => (lower.includes(p) ? [i] : []));
    // Every state with a full row; then the root alone, so that every other step is a sparse one.
    for (const ac of [new AhoCorasick(patterns), new AhoCorasick(patterns, 1)]) {
      const got = new Set<number>();
      ac.scan(lower, (id) => got.add(id));
      for (const i of want) assert.ok(got.has(i), `scan missed ${JSON.stringify(patterns[i])} in ${JSON.stringify(t)}`);
      overSelected += got.size - want.length;
      const folded = new Set<number>();
      if (ac.scanFolded(t, (id) => folded.add(id))) {
        assert.ok(/^[\x00-\x7f]*$/.test(t), 'scanFolded reads ASCII text only');
        assert.deepEqual([...folded].sort((a, b) => a - b), want, `scanFolded on ${JSON.stringify(t)}`);
      } else assert.ok(/[^\x00-\x7f]/.test(t), 'scanFolded gives up only on non-ASCII text');
    }
  }
  // Over 32 non-ASCII characters share columns: some texts report a pattern they lack (allowed).
  assert.ok(overSelected > 0, 'shared columns over-select somewhere in 3000 rounds');
});

test('Aho–Corasick reports every id of a pattern given twice, and refuses an empty pattern', () => {
  const ac = new AhoCorasick(['abc', 'bc', 'abc', 'c'], 1);
  const got: number[] = [];
  assert.ok(ac.scanFolded('xABCx', (id) => got.push(id)));
  assert.deepEqual(got.sort(), [0, 1, 2, 3]);
  assert.throws(() => new AhoCorasick(['a', '']), /empty pattern/);
});

test('Aho–Corasick scanFolded reads ASCII text of any length as bytes, leaves a longer or non-ASCII one to scan, and the prefilter finds literals either way', () => {
  const patterns = ['mimikatz', 'sekurlsa::', '.exe', 'zz'];
  for (const cells of [96 * 1024, 1]) {
    const ac = new AhoCorasick(patterns, cells);
    for (const n of [0, 1, 100, 4095, 8192, 8193, 30000]) {
      const t = 'MIMIKATZ' + 'a'.repeat(n) + 'SekurLSA::x.EXE' + (n % 2 ? 'zéz' : 'zz');
      const want = patterns.flatMap((p, i) => (t.toLowerCase().includes(p) ? [i] : []));
      const scanned = new Set<number>();
      ac.scan(t.toLowerCase(), (id) => scanned.add(id));
      assert.deepEqual([...scanned].sort(), want, `scan, ${n}`);
      const folded = new Set<number>();
      const whole = ac.scanFolded(t, (id) => folded.add(id));
      assert.equal(whole, t.length <= 8192 && /^[\x00-\x7f]*$/.test(t), `scanFolded reads ${t.length} characters (${n})`);
      if (whole) assert.deepEqual([...folded].sort(), want, `scanFolded, ${n}`);
      else assert.equal(folded.size, 0, 'nothing reported from a text left to scan');
    }
  }
  // The prefilter's scans, with the automata built and not, against the plain path.
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(`title: long command line
logsource: {product: test}
detection:
  sel: {CommandLine|contains: 'sekurlsa::'}
  condition: sel
`, 'rules.yml'));
  checkCollection(col);
  const set = prepareRules(col, { pipelines: [], regex: re2Regex }).set;
  for (const buildAfter of [0, Infinity]) {
    set.prefilter.buildAfter = buildAfter;
    const fast = new Detector(set, { regex: re2Regex, explain: false });
    for (const n of [10, 5000, 8200, 20000])
      for (const tail of ['SEKURLSA::', 'sekurlsa:', '\u00e9SEKURLSA::']) {
        const CommandLine = 'x'.repeat(n) + tail;
        assert.equal(fast.next({ CommandLine }).matches.length, tail.endsWith('::') ? 1 : 0, `${n} ${tail}`);
      }
  }
});

test('Aho–Corasick on a large pattern set (hash tails): memory linear in the patterns, every pattern found', () => {
  const rnd = random(11);
  const hex = '0123456789abcdef';
  const patterns = Array.from({ length: 8000 }, () => Array.from({ length: 12 }, () => hex[Math.floor(rnd() * 16)]).join(''));
  const ac = new AhoCorasick(patterns);
  // About 76,000 states: a full row each would be 76,000 × 17 columns × 4 bytes = 5.2 MB; sparse
  // states cost 18 bytes each, the capped full rows 384 KiB.
  assert.ok(ac.bytes < 2_000_000, `${ac.bytes} bytes`);
  for (const i of [0, 1234, 4000, 7999]) {
    const found = new Set<number>();
    assert.ok(ac.scanFolded(`sha256=${patterns[(i + 1) % 8000]!.toUpperCase()}${patterns[i]!.toUpperCase()},md5=0`, (id) => found.add(id)));
    assert.ok(found.has(i) && found.has((i + 1) % 8000), `patterns ${i} and ${(i + 1) % 8000} found`);
    for (const id of found) assert.ok(`sha256=${patterns[(i + 1) % 8000]}${patterns[i]},md5=0`.includes(patterns[id]!), `pattern ${id} reported and present`);
  }
});

/** Every id `ac` reports on `t` (scan of the lower-cased text), and those scanFolded reports when it reads the whole text. */
function reported(ac: AhoCorasick, t: string): { scan: Set<number>; folded: Set<number> | null } {
  const scan = new Set<number>();
  ac.scan(t.toLowerCase(), (id) => scan.add(id));
  const folded = new Set<number>();
  return { scan, folded: ac.scanFolded(t, (id) => folded.add(id)) ? folded : null };
}

/** Asserts that every pattern the lower-cased text contains is reported, by both scans, at every size of the full-row region. */
function assertFindsAll(patterns: string[], texts: string[], denseCells: number[]): void {
  for (const cells of denseCells) {
    const ac = new AhoCorasick(patterns, cells);
    for (const t of texts) {
      const lower = t.toLowerCase();
      const { scan, folded } = reported(ac, t);
      for (let i = 0; i < patterns.length; i++) {
        if (!lower.includes(patterns[i]!)) continue;
        assert.ok(scan.has(i), `scan missed ${JSON.stringify(patterns[i])} in ${JSON.stringify(t)} (${cells} cells)`);
        if (folded) assert.ok(folded.has(i), `scanFolded missed ${JSON.stringify(patterns[i])} in ${JSON.stringify(t)} (${cells} cells)`);
      }
    }
  }
}

test('Aho–Corasick on adversarial pattern sets loses no match, with full rows and with sparse states', () => {
  // Prefixes and suffixes of one another, overlaps, a pattern inside another's tail, long chains that
  // branch deep (a deep state with several children), one character repeated (failure links that
  // stay deep), non-ASCII in the middle of chains and more than 32 such characters (shared columns).
  const long = 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe';
  const patterns = [
    long,
    long.slice(0, 30),
    long.slice(25),
    long.slice(10, 40),
    'powershell',
    'powershell.exe',
    'shell.exe',
    'l.exe',
    'system32\\',
    'system32\\cmd.exe',
    'system32\\conhost.exe',
    'system32\\config\\sam',
    'aaaaaaaaab',
    'aaaab',
    'aaa',
    'abababababc',
    'ababc',
    'b',
    'x\u0430y\u2013z',
    '\u2013z',
    '\u{1F600}\u{1F601}',
    ...'\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u04bb\u0501\u051b\u051d\u0261\u1d00\u1d04\u1d05\u1d07\u1d0a\u1d0b\u1d0d\u1d0f\u1d18\u1d1b\u1d1c\u1d20'.split('').map((c) => `q${c}q`),
  ];
  const texts = [
    long.toUpperCase(),
    `"${long}" -nop -w hidden`,
    'C:\\Windows\\System32\\cmd.exe /c C:\\Windows\\System32\\config\\SAM',
    'system32\\conhost.exe system32\\cmd.exe system32\\config\\sa',
    'a'.repeat(40) + 'b',
    'aaaaaaaaaaab ababababababababc abababc',
    'X\u0430Y\u2013Z \u{1F600}\u{1F601} q\u2011q q\u1d20q',
    long.slice(0, 29) + long.slice(30),
  ];
  assertFindsAll(patterns, texts, [1, 8, 64, 512, 1 << 17]);
});

test('Aho–Corasick on random texts of a tiny alphabet: deep chains, deep states with several children and failure links against String#includes', () => {
  // A two-letter alphabet makes every pattern overlap others, prefixes and suffixes everywhere, and
  // deep states with two children: what a sparse step has to get right.
  const rnd = random(23);
  for (let round = 0; round < 400; round++) {
    const patterns = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => (rnd() < 0.5 ? 'a' : 'b')).join('')))];
    const texts = Array.from({ length: 4 }, () => Array.from({ length: Math.floor(rnd() * 60) }, () => (rnd() < 0.5 ? 'a' : 'B')).join(''));
    assertFindsAll(patterns, texts, [1, 3, 1 << 17]);
  }
});

test('Aho–Corasick on 70,000 short patterns (200,000 states, wide rows): every pattern a text holds is found', () => {
  // 70,000 patterns of 5 characters out of 68: about 140,000 states at depth 3 and 4, far more than
  // the full rows hold (and than 16 bits could number, which a more compact table would have to
  // handle by keeping fewer full rows), so sparse states and their failure links do most steps.
  const rnd = random(5);
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~ \'"`';
  const patterns = [...new Set(Array.from({ length: 70_000 }, () => Array.from({ length: 5 }, () => chars[Math.floor(rnd() * chars.length)]).join('')))];
  const ac = new AhoCorasick(patterns);
  for (const i of [0, 1, 777, 30_000, patterns.length - 1]) {
    const j = (i + 7) % patterns.length;
    const t = `${patterns[j]!.toUpperCase()}${patterns[i]}`;
    const { scan, folded } = reported(ac, t);
    for (const [name, got] of [['scan', scan], ['scanFolded', folded]] as const) {
      assert.ok(got, `${name} read the whole text`);
      for (let k = 0; k < patterns.length; k++) if (t.toLowerCase().includes(patterns[k]!)) assert.ok(got.has(k), `${name} missed pattern ${k} in ${JSON.stringify(t)}`);
    }
  }
});

test('regex literals: what each alternative cannot match without', () => {
  const cases: Array<[string, boolean, string[] | null]> = [
    ['\\\\powershell\\.exe$', false, ['\\powershell.exe']],
    ['cmd\\.exe /c echo', true, ['cmd.exe /c echo']],
    // k and s: the Kelvin sign and the long s fold to them under case-insensitive Unicode matching.
    ['mimikatz', true, ['mimi']],
    ['desktop', true, ['top']],
    ['mimikatz', false, ['mimikatz']],
    ['(?i)mimikatz', false, ['mimi']],
    ['abc|defg', false, ['abc', 'defg']],
    ['abc|d', false, ['abc', 'd']],
    ['abc|', false, null],
    ['abc(d|e)fgh', false, ['abc']],
    ['ab?cdef', false, ['cdef']],
    ['abcd*ef', false, ['abc']],
    ['abcd+ef', false, ['abcd']],
    ['abc{2}def', false, ['def']],
    ['ab{0,3}cd', false, ['cd']],
    ['\\x41bcd', false, null], // \x41 has a length of its own: nothing after it is read
    ['xyz\\x41bcd', false, ['xyz']],
    ['\\d+\\.\\d+\\.evil', false, ['.evil']],
    ['[a-z]+\\.dll', false, ['.dll']],
    ['a\\pLbc', false, ['a']],
    ['\\Qa.b\\E', false, null],
    ['[]abc]xyz', false, null],
    ['^.*$', false, null],
    ['\u0430bc', false, ['bc']],
  ];
  for (const [pattern, ci, want] of cases) assert.deepEqual(requiredLiterals(pattern, ci), want, `/${pattern}/${ci ? 'i' : ''}`);
});

test('regex literals hold in every text RE2 matches (case-insensitive: the Kelvin sign, the long s)', () => {
  const rnd = random(3);
  const pieces = ['a', 'k', 's', 'K', '\u212a', '\u017f', 'S', '.', 'x', '-', 'b'];
  const patterns = ['ask', 'a\\.k', 'sk|ka', 'a(s|k)x', 'x+ak', 'k\\-s', 'aks?b', 'ab'];
  for (const pattern of patterns)
    for (const ci of [false, true]) {
      const lits = requiredLiterals(pattern, ci);
      const re = re2Regex(pattern, { i: ci, m: false, s: false });
      for (let n = 0; n < 4000; n++) {
        let t = '';
        for (let i = 0, len = 1 + Math.floor(rnd() * 6); i < len; i++) t += pieces[Math.floor(rnd() * pieces.length)];
        if (!re(t) || lits === null) continue;
        assert.ok(lits.some((l) => t.toLowerCase().includes(l)), `/${pattern}/${ci ? 'i' : ''} matches ${JSON.stringify(t)} without ${JSON.stringify(lits)}`);
      }
    }
});

/** `buildAfter`: the prefilter's (its default unless given: see LiteralPrefilter.buildAfter). */
function detectors(yaml: string, pipelines: ProcessingPipeline[] = [], buildAfter?: number): { fast: Detector; plain: Detector; anchored: number } {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(yaml, 'rules.yml'));
  checkCollection(col);
  const set = prepareRules(col, { pipelines, regex: re2Regex }).set;
  assert.equal(set.notRunnable.length, 0);
  if (buildAfter !== undefined) set.prefilter.buildAfter = buildAfter;
  return {
    fast: new Detector(set, { regex: re2Regex }),
    plain: new Detector(set, { regex: re2Regex, prefilter: false }),
    anchored: set.prefilter.anchored.filter(Boolean).length,
  };
}

const RULES = `
title: keyword
logsource: {product: test}
detection:
  keywords: ['evilword', 'Ünïcode']
  condition: keywords
---
title: field and keyword
logsource: {product: test}
detection:
  sel: {CommandLine|contains: 'mimikatz'}
  keywords: ['sekurlsa']
  condition: sel and keywords
---
title: regex
logsource: {product: test}
detection:
  sel: {CommandLine|re: '(?i)invoke-(expression|webrequest)'}
  condition: sel
---
title: regex with a required literal
logsource: {product: test}
detection:
  sel: {CommandLine|re|i: 'rundll32\\.exe.+,#\\d+'}
  condition: sel
---
title: look-alike
logsource: {product: test}
detection:
  sel: {Image|endswith: '\\\\сmd.exe'}
  condition: sel
---
title: numeric keyword
logsource: {product: test}
detection:
  keywords: ['31337']
  condition: keywords
---
title: no literal
logsource: {product: test}
detection:
  sel: {CommandLine|re: '\\d{5,}'}
  condition: sel
`;

// Each way of finding the literals: literal by literal (the first values of a hunt; every value
// with Infinity), and the automata (every value with 0).
for (const buildAfter of [undefined, 0, Infinity])
  test(`the prefilter keeps exactly the plain path detections: keywords in nested values, case, non-ASCII (buildAfter ${buildAfter ?? 'default'})`, () => {
    const { fast, plain, anchored } = detectors(RULES, [], buildAfter);
    assert.equal(anchored, 6, 'every rule but the regex with no literal has an anchor');
    const events: Array<Record<string, unknown>> = [
      { CommandLine: 'x EVILWORD y' },
      { Other: { deep: [{ deeper: 'has evilword inside' }] } },
      { CommandLine: 'MIMIKATZ', Misc: ['a', { b: 'SEKURLSA::logonpasswords' }] },
      { CommandLine: 'mimikatz', Misc: 'sekurlsa' },
      { CommandLine: 'mimikatz' },
      { Note: 'ÜNÏCODE text' },
      { CommandLine: 'İnvoke-Expression', Image: 'C:\\Windows\\СMD.EXE' },
      { CommandLine: 'INVOKE-WEBREQUEST http://x' },
      { CommandLine: 'RUNDLL32.EXE foo.dll,#12' },
      { CommandLine: 'rundll32.exe foo.dll,Entry' },
      { Image: 'C:\\Windows\\сmd.exe' },
      { Image: 'C:\\Windows\\cmd.exe' },
      { Count: 42, Flag: true, Nothing: null, CommandLine: 'pid 123456' },
      { Port: 31337, Count: 4 }, // a keyword found in a number
    ];
    let total = 0;
    for (const e of events) {
      const a = fast.next(structuredClone(e)).matches.map((m) => m.rule.ir.rule.title);
      const b = plain.next(structuredClone(e)).matches.map((m) => m.rule.ir.rule.title);
      assert.deepEqual(a, b, JSON.stringify(e));
      total += b.length;
    }
    assert.equal(total, 11, 'the events do match');
  });

test('a rule with literals in several conjuncts wakes only when each has one in the event', () => {
  const yaml = `title: image and command line
logsource: {product: test}
detection:
  img: {Image|endswith: ['\\\\certutil.exe', '\\\\certreq.exe']}
  cli: {CommandLine|contains: ['urlcache', 'verifyctl']}
  cond: {CommandLine|re: 'http[s]?://'}
  condition: img and cli and cond
`;
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(yaml, 'rules.yml'));
  checkCollection(col);
  const set = prepareRules(col, { pipelines: [], regex: re2Regex }).set;
  const plain = new Detector(set, { regex: re2Regex, prefilter: false });
  const cases: Array<[Record<string, unknown>, boolean, boolean]> = [
    // event, woken by the prefilter, matched
    [{ Image: 'C:\\Windows\\certutil.exe', CommandLine: 'certutil -urlcache -f http://x/a.exe' }, true, true],
    [{ Image: 'C:\\Windows\\certutil.exe', CommandLine: 'certutil -hashfile a.exe' }, false, false],
    [{ Image: 'C:\\Windows\\cmd.exe', CommandLine: 'certutil -urlcache -f http://x/a.exe' }, false, false],
    [{ Image: 'C:\\Windows\\CERTREQ.EXE', CommandLine: 'x VERIFYCTL https://y' }, true, true],
    // The regex's required literal (http) is a third group.
    [{ Image: 'C:\\Windows\\certreq.exe', CommandLine: 'verifyctl no url' }, false, false],
    [{ Image: 'C:\\Windows\\certreq.exe', CommandLine: 'verifyctl http:/broken' }, true, false],
  ];
  for (const [event, woken, matched] of cases) {
    assert.equal(set.prefilter.scan(new EventView(structuredClone(event))).allows(0), woken, JSON.stringify(event));
    assert.equal(new Detector(set, { regex: re2Regex }).next(structuredClone(event)).matches.length, matched ? 1 : 0, JSON.stringify(event));
    assert.equal(plain.next(structuredClone(event)).matches.length, matched ? 1 : 0, JSON.stringify(event));
  }
});

test('a guard is taken as proven by the index only when it says nothing more than channel and event id', () => {
  // The windows pipeline's registry_delete and registry_add guards also test EventType: a Sysmon
  // event 12 is a candidate of both, and only the guard tells them apart.
  const rule = (title: string, category: string) => `title: ${title}
logsource: {product: windows, category: ${category}}
detection:
  sel: {TargetObject|contains: '\\Run\\evil'}
  condition: sel
`;
  const { fast, plain } = detectors([rule('deleted', 'registry_delete'), rule('added', 'registry_add'), rule('set', 'registry_set')].join('---\n'), [builtinPipeline('windows')!]);
  const event = (id: number, type: string) => ({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: id, EventType: type, TargetObject: 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil' });
  const titles = (d: Detector, e: Record<string, unknown>) => d.next(e).matches.map((m) => m.rule.ir.rule.title);
  for (const [e, want] of [
    [event(12, 'CreateKey'), ['added']],
    [event(12, 'DeleteValue'), ['deleted']],
    [event(13, 'SetValue'), ['set']],
  ] as const) {
    assert.deepEqual(titles(plain, e), want);
    assert.deepEqual(titles(fast, e), want);
  }
});

test('a prefilter scope wakes only its own rules, with the same verdicts for them as the whole set', () => {
  // Rule 0 and 2 read CommandLine, rule 1 Image, rule 3 is a keyword search; rule 4 has no anchor.
  const lit = (field: string, literal: string): Anchor => ({ groups: [[{ field, literal }]] });
  const anchors: Array<Anchor | null> = [lit('CommandLine', 'evil'), lit('Image', '\\bad.exe'), lit('CommandLine', 'worse'), lit('*', 'mimikatz'), null];
  const pf = new LiteralPrefilter(anchors.length, (i) => (anchors[i] ? packAnchor(anchors[i]) : null));
  const events = [
    { CommandLine: 'EVIL and worse', Image: 'C:\\BAD.EXE', Other: 'mimikatz' },
    { CommandLine: 'plain', Image: 'C:\\bad.exe', Nested: { deep: 'MIMIKATZ' } },
    { commandline: 'evil in another case', Note: 'nothing' },
    { Other: 'worse' },
  ];
  const scopes: Array<number[]> = [[0], [1, 3], [0, 2, 4], [3], [4], []];
  for (const members of scopes) {
    const member = new Uint8Array(anchors.length);
    for (const i of members) member[i] = 1;
    const scope = pf.scopeOf(member);
    assert.equal(pf.scopeOf(member.slice()), scope, 'lists of the same rules share a scope');
    for (const e of events) {
      const whole = new Set(pf.scan(new EventView(e)).woken);
      const woken = [...pf.scan(new EventView(e), scope).woken];
      assert.ok(woken.every((r) => member[r] === 1), `${JSON.stringify(members)} woke ${JSON.stringify(woken)} on ${JSON.stringify(e)}`);
      assert.deepEqual(new Set(woken), new Set([...whole].filter((r) => member[r] === 1)), `${JSON.stringify(members)} on ${JSON.stringify(e)}`);
    }
  }
  const all = new Uint8Array(anchors.length).fill(1);
  assert.deepEqual([...pf.scan(new EventView(events[0]!), pf.scopeOf(all)).woken].sort(), [0, 1, 2, 3], 'every rule: the whole set');
});
