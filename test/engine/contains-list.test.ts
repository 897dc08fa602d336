// A long list of `contains` values on one field is searched for in one pass (an Aho–Corasick
// automaton, compile.ts) rather than one String#includes each. The automaton may report a value
// that is not there (non-ASCII characters past its column budget share columns); each report is
// checked, so the verdict must be exactly the includes loop's: checked here on lists long enough
// for the automaton, with emoji, look-alike letters, case folding and the other matchers of the
// same list beside them, against the includes of each value written out in the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addParsedFile, checkCollection, emptyCollection, parseSigmaText } from '../../src/sigma/load.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { Detector } from '../../src/engine/detector.js';
import { re2Regex } from '../../src/engine/regex-re2.js';

/** 300 values: words, emoji (surrogate pairs), and more than 32 distinct non-ASCII letters. */
function values(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 100; i++) out.push(`Word${i}x`);
  for (let i = 0; i < 100; i++) out.push(String.fromCodePoint(0x1f400 + i));
  for (let i = 0; i < 100; i++) out.push(`Ω${String.fromCharCode(0x3b1 + (i % 25))}${String.fromCharCode(0x430 + (i % 32))}${i}`);
  return out;
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

function rule(list: string[], cased: boolean): string {
  const mod = cased ? '|cased' : '';
  return `title: Long contains list${cased ? ' (cased)' : ''}
id: 00000000-0000-4000-8000-0000000000${cased ? '02' : '01'}
logsource:
    product: test
detection:
    sel_many:
        Text|contains${mod}:
${list.map((v) => `            - ${quote(v)}`).join('\n')}
    sel_end:
        Text|endswith${mod}: '.tail'
    sel_exact:
        Text${mod}: 'Exactly This'
    condition: 1 of sel_*
`;
}

function detector(yaml: string): Detector {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(yaml, 'list.yml'));
  checkCollection(col);
  const prepared = prepareRules(col, { pipelines: [], regex: re2Regex });
  assert.equal(prepared.set.rules.length, 1, prepared.skipped.map((s) => s.reason).join('; '));
  return new Detector(prepared.set, { regex: re2Regex, explain: false, prefilter: false });
}

function texts(list: string[]): string[] {
  const out = ['', 'nothing here', 'x.tail', 'Exactly This', 'exactly this', 'EXACTLY THIS'];
  for (const v of list) {
    out.push(`a ${v} b`, v.toUpperCase(), v.toLowerCase(), `${v.slice(0, -1)}`, `pre${v}`, `${v}post`);
    // A neighbour sharing the automaton's column: the same character class, another code point.
    const last = v.codePointAt(v.length - 1)!;
    out.push(v.slice(0, -1) + String.fromCodePoint(last + 32));
  }
  out.push(String.fromCodePoint(0x1f500), '\ud83d', '\ud83d\udc00'.slice(1), 'ΩΑΑ0', 'ωαа1');
  return out;
}

for (const cased of [false, true])
  test(`a ${cased ? 'cased ' : ''}list of 300 contains values matches exactly where one of its values is contained`, () => {
    const list = values();
    const d = detector(rule(list, cased));
    let fired = 0;
    for (const text of texts(list)) {
      const t = cased ? text : text.toLowerCase();
      const want =
        list.some((v) => t.includes(cased ? v : v.toLowerCase())) || t.endsWith('.tail') || t === (cased ? 'Exactly This' : 'exactly this');
      const got = d.next({ Text: text }).matches.length > 0;
      assert.equal(got, want, `${JSON.stringify(text)}`);
      if (got) fired++;
    }
    assert.ok(fired > 1000, `${fired} texts matched`);
  });

// Lists of `startswith` and `endswith` values are looked up by the text's ends (one Set lookup
// per value length, compile.ts): the verdict must be exactly String#startsWith / #endsWith of each
// value, beside a short list, a contains value and a value with a wildcard inside of the same field.
function affixRule(starts: string[], ends: string[], cased: boolean): string {
  const mod = cased ? '|cased' : '';
  return `title: Long startswith and endswith lists${cased ? ' (cased)' : ''}
id: 00000000-0000-4000-8000-0000000000${cased ? '04' : '03'}
logsource:
    product: test
detection:
    sel_starts:
        Text|startswith${mod}:
${starts.map((v) => `            - ${quote(v)}`).join('\n')}
    sel_ends:
        Text|endswith${mod}:
${ends.map((v) => `            - ${quote(v)}`).join('\n')}
    sel_few:
        Text|endswith${mod}: ['.one', '.two']
    sel_other:
        Text${mod}:
            - '*middle*'
            - 'mid*dle.end'
    condition: 1 of sel_*
`;
}

for (const cased of [false, true])
  test(`${cased ? 'cased ' : ''}lists of startswith and endswith values match exactly where a text starts or ends with one`, () => {
    const ends = ['\\cmd.exe', '\\CertUtil.exe', '.EXE', 'x', '\u{1F600}', '\\Ωmega.dll', '\\a.b', '\\powershell_ise.exe', '\\p', 'İx', 'ends'];
    const starts = ['C:\\Windows\\', 'c:\\users\\', '\\Device\\', 'A', '\u{1F600}x', 'Ωmega', 'HKLM\\Software\\', 'start', 'İ'];
    const d = detector(affixRule(starts, ends, cased));
    const all = [...starts, ...ends];
    const texts = ['', 'x', 'X', 'middle', 'mid-dle.end', 'a.one', 'b.TWO', '\u{1F600}', '\ud83d', 'i\u0307x', 'İX'];
    for (const v of all) texts.push(v, v.toUpperCase(), v.toLowerCase(), `pre${v}`, `${v}post`, v.slice(1), v.slice(0, -1), `${v}${v}`);
    let fired = 0;
    for (const text of texts) {
      const t = cased ? text : text.toLowerCase();
      const c = (v: string) => (cased ? v : v.toLowerCase());
      const want =
        starts.some((v) => t.startsWith(c(v))) ||
        ends.some((v) => t.endsWith(c(v))) ||
        t.endsWith('.one') ||
        t.endsWith('.two') ||
        t.includes('middle') ||
        (t.startsWith('mid') && t.endsWith('dle.end') && t.length >= 10);
      const got = d.next({ Text: text }).matches.length > 0;
      assert.equal(got, want, `${JSON.stringify(text)}`);
      if (got) fired++;
    }
    assert.ok(fired > 50, `${fired} texts matched`);
  });
