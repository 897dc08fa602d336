import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, parseRule, ruleWith, codes } from '../helpers.js';

const m = (detection: string, events: Array<Record<string, unknown>>) => matches(ruleWith(detection + '\ncondition: selection'), events);

test('plain values: case-insensitive equality, wildcards * and ?', () => {
  const evs = [{ Image: 'C:\\Windows\\System32\\CMD.exe' }, { Image: 'C:\\Windows\\System32\\cmd.exe.bak' }, { Image: 'cmd.exe' }];
  assert.deepEqual(m("selection:\n    Image: 'c:\\windows\\system32\\cmd.exe'", evs), [0]);
  assert.deepEqual(m("selection:\n    Image: '*\\cmd.exe'", evs), [0]);
  assert.deepEqual(m("selection:\n    Image: 'C:\\Windows\\System3?\\cmd.exe*'", evs), [0, 1]);
  assert.deepEqual(m("selection:\n    Image: 'cm?.exe'", evs), [2]);
});

test('contains, startswith, endswith; lists are OR, all makes them AND', () => {
  const evs = [{ CommandLine: 'powershell -nop -w hidden -enc AAA' }, { CommandLine: 'powershell -enc AAA' }, { CommandLine: 'cmd /c whoami' }];
  assert.deepEqual(m("selection:\n    CommandLine|contains:\n        - ' -nop '\n        - whoami", evs), [0, 2]);
  assert.deepEqual(m("selection:\n    CommandLine|contains|all:\n        - ' -nop '\n        - ' -enc '", evs), [0]);
  assert.deepEqual(m("selection:\n    CommandLine|startswith: 'POWERSHELL'", evs), [0, 1]);
  assert.deepEqual(m("selection:\n    CommandLine|endswith: 'AAA'", evs), [0, 1]);
});

test('a value written with leading zeros is looked for with its zeros (registry Details of a keyboard layout)', () => {
  const evs = [{ Details: '00000429' }, { Details: '429' }, { Details: 'DWORD (0x00050429)' }, { Details: '50429' }];
  assert.deepEqual(m('selection:\n    Details|contains:\n        - 00000429\n        - 00050429', evs), [0, 2]);
  assert.deepEqual(m('selection:\n    Details: 00000429', evs), [0]);
});

test('cased makes the comparison case-sensitive', () => {
  const evs = [{ User: 'Administrator' }, { User: 'administrator' }];
  assert.deepEqual(m("selection:\n    User|cased: 'Administrator'", evs), [0]);
  assert.deepEqual(m("selection:\n    User|contains|cased: 'admin'", evs), [1]);
});

test('windash: every dash-like character for flags', () => {
  const evs = [{ CommandLine: 'x -enc a' }, { CommandLine: 'x /enc a' }, { CommandLine: 'x \u2013enc a' }, { CommandLine: 'x \u2014enc a' }, { CommandLine: 'x \u2015enc a' }, { CommandLine: 'x enc a' }];
  assert.deepEqual(m("selection:\n    CommandLine|windash|contains: ' -enc '", evs), [0, 1, 2, 3, 4]);
});

test('windash variants come in a fixed order (first dash slowest), with wildcards kept, and five dashes at most', async () => {
  const { buildItem, ModifierError } = await import('../../src/sigma/modifiers.js');
  const at = { pos: { line: 1, col: 1 }, origin: 'rule' as const };
  const texts = (raw: string) => buildItem('f', ['windash'], [raw], at).values.map((v) => (v.type === 'string' ? v.parts.map((p) => (typeof p === 'string' ? p : '*')).join('') : '?'));
  const d = ['-', '/', '\u2013', '\u2014', '\u2015'];
  assert.deepEqual(texts('x -a*/b'), d.flatMap((a) => d.map((b) => `x ${a}a*${b}b`)));
  assert.deepEqual(texts('no dash'), ['no dash']);
  assert.deepEqual(texts('-'), d);
  assert.equal(texts('-a -b -c -d -e').length, 3125);
  assert.throws(() => buildItem('f', ['windash'], ['-a -b -c -d -e -f'], at), (e) => e instanceof ModifierError && e.code === 'windash-explosion');
  // Two values of two dashes each are 50 variants, within the limit; the limit counts each value alone.
  assert.equal(buildItem('f', ['windash'], ['-a -b', '/c /d'], at).values.length, 50);
});

test('base64 and base64offset with utf16 encodings', () => {
  const b64 = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc).toString('base64');
  assert.deepEqual(m("selection:\n    Payload|base64: 'http://'", [{ Payload: b64('http://') }, { Payload: b64('https://') }]), [0]);
  const evs = [0, 1, 2].map((shift) => ({ CommandLine: 'powershell -e ' + b64('x'.repeat(shift) + 'IEX (New-Object Net.WebClient)', 'utf16le') }));
  assert.deepEqual(m("selection:\n    CommandLine|wide|base64offset|contains: 'IEX (New-Object'", [...evs, { CommandLine: b64('IEX (New-Object') }]), [0, 1, 2]);
  const evs8 = [0, 1, 2].map((shift) => ({ Data: b64('ab'.slice(0, shift) + 'Invoke-Mimikatz and more') }));
  assert.deepEqual(m("selection:\n    Data|base64offset|contains: 'Invoke-Mimikatz'", evs8), [0, 1, 2]);
});

test('utf16le, utf16be and utf16 (with BOM) produce the byte strings of the appendix', async () => {
  const { buildItem } = await import('../../src/sigma/modifiers.js');
  const text = (mods: string[]) => {
    const item = buildItem('f', mods, ['cmd'], { pos: { line: 1, col: 1 }, origin: 'rule' });
    const v = item.values[0]!;
    return v.type === 'string' ? Buffer.from(v.parts.join(''), 'latin1').toString('hex') : '';
  };
  assert.equal(text(['utf16le']), '63006d006400');
  assert.equal(text(['wide']), '63006d006400');
  assert.equal(text(['utf16be']), '0063006d0064');
  assert.equal(text(['utf16']), 'fffe63006d006400');
});

test('re with i, m and s sub-modifiers (RE2)', () => {
  const evs = [{ CommandLine: 'Invoke-Expression' }, { CommandLine: 'invoke-expression' }, { CommandLine: 'a\nInvoke' }];
  assert.deepEqual(m("selection:\n    CommandLine|re: '^Invoke-'", evs), [0]);
  assert.deepEqual(m("selection:\n    CommandLine|re|i: '^invoke-'", evs), [0, 1]);
  assert.deepEqual(m("selection:\n    CommandLine|re|m: '^Invoke$'", evs), [2]);
  assert.deepEqual(m("selection:\n    CommandLine|re|s: 'a.Invoke'", evs), [2]);
});

test('cidr for IPv4 and IPv6, including IPv4-mapped addresses', () => {
  const evs = [{ DestinationIp: '10.1.2.3' }, { DestinationIp: '192.168.1.1' }, { DestinationIp: 'fd00::1' }, { DestinationIp: '::ffff:10.9.9.9' }, { DestinationIp: 'not an ip' }];
  assert.deepEqual(m("selection:\n    DestinationIp|cidr:\n        - '10.0.0.0/8'\n        - 'fc00::/7'", evs), [0, 2, 3]);
});

test('exists: true and false, also for null and empty values', () => {
  const evs = [{ A: 'x' }, { A: '' }, { A: null }, { B: 1 }];
  assert.deepEqual(m('selection:\n    A|exists: true', evs), [0, 1, 2]);
  assert.deepEqual(m('selection:\n    A|exists: false', evs), [3]);
});

test("null matches a missing or null field, '' only an empty string", () => {
  const evs = [{ A: 'x' }, { A: '' }, { A: null }, { B: 1 }];
  assert.deepEqual(m('selection:\n    A: null', evs), [2, 3]);
  assert.deepEqual(m("selection:\n    A: ''", evs), [1]);
});

test('numbers match numbers and numeric strings; lt, lte, gt, gte', () => {
  const evs = [{ Port: 443 }, { Port: '443' }, { Port: 8080 }, { Port: 'abc' }, { Port: 80 }];
  assert.deepEqual(m('selection:\n    Port: 443', evs), [0, 1]);
  assert.deepEqual(m('selection:\n    Port|gt: 443', evs), [2]);
  assert.deepEqual(m('selection:\n    Port|gte: 443', evs), [0, 1, 2]);
  assert.deepEqual(m('selection:\n    Port|lt: 443', evs), [4]);
  assert.deepEqual(m('selection:\n    Port|lte: 80', evs), [4]);
});

test('neq: the field exists and differs from every value', () => {
  const evs = [{ User: 'SYSTEM' }, { User: 'jdoe' }, { User: 'LOCAL SERVICE' }, {}];
  assert.deepEqual(m("selection:\n    User|neq:\n        - 'system'\n        - 'local service'", evs), [1]);
});

test('fieldref compares two fields of the same event, with startswith/endswith/contains', () => {
  const evs = [{ ParentImage: 'C:\\a\\x.exe', Image: 'c:\\a\\X.exe' }, { ParentImage: 'C:\\a\\x.exe', Image: 'C:\\b\\y.exe' }, { Image: 'C:\\b\\y.exe' }];
  assert.deepEqual(m('selection:\n    Image|fieldref: ParentImage', evs), [0]);
  assert.deepEqual(m('selection:\n    Image|fieldref|startswith: ParentImage', [{ Image: 'C:\\a\\x.exe --child', ParentImage: 'c:\\a\\x.exe' }, ...evs]), [0, 1]);
});

test('time-part modifiers extract minute, hour, day, week, month and year', () => {
  const evs = [{ T: '2026-11-23T02:30:00Z' }, { T: '2026-11-23 14:05:00.123' }, { T: 'garbage' }];
  assert.deepEqual(m('selection:\n    T|hour|lt: 6', evs), [0]);
  assert.deepEqual(m('selection:\n    T|hour: 14', evs), [1]);
  assert.deepEqual(m('selection:\n    T|minute: 30', evs), [0]);
  assert.deepEqual(m('selection:\n    T|day: 23', evs), [0, 1]);
  assert.deepEqual(m('selection:\n    T|month: 11', evs), [0, 1]);
  assert.deepEqual(m('selection:\n    T|year: 2026', evs), [0, 1]);
  assert.deepEqual(m('selection:\n    T|week: 48', evs), [0, 1]);
});

test('expand: placeholders make a rule valid but not runnable without values', () => {
  const { rule } = parseRule(ruleWith("selection:\n    User|expand: '%Administrators%'\ncondition: selection"));
  assert.ok(rule, 'a rule with a placeholder is valid');
  assert.throws(() => matches(ruleWith("selection:\n    User|expand: '%Administrators%'\ncondition: selection"), []), /placeholder|not runnable/);
});

test('misused modifiers are located errors with stable codes', () => {
  const err = (d: string) => parseRule(ruleWith(d + '\ncondition: selection')).diagnostics.filter((x) => x.severity === 'error');
  assert.deepEqual(codes(err("selection:\n    Image|contans: 'x'")), ['unknown-modifier']);
  assert.match(err("selection:\n    Image|contans: 'x'")[0]!.message, /did you mean 'contains'/);
  assert.deepEqual(codes(err("selection:\n    Image|all: 'x'")), ['all-single-value']);
  assert.deepEqual(codes(err("selection:\n    Ip|cidr: '10.0.0.0/33'")), ['invalid-cidr']);
  assert.deepEqual(codes(err("selection:\n    A|exists: 'yes'")), ['exists-needs-boolean']);
  assert.deepEqual(codes(err("selection:\n    A|i: 'x'")), ['regex-flag-without-re']);
  assert.deepEqual(codes(err("selection:\n    A|gt: 'abc'")), ['modifier-type']);
  assert.deepEqual(codes(err("selection:\n    A|base64: 'a*b'")), ['wildcard-encoding']);
  assert.deepEqual(codes(err("selection:\n    A:\n        - ''\n        - null")), ['null-in-list']);
  const e = err("selection:\n    Image|contans: 'x'")[0]!;
  assert.deepEqual([e.line, e.col], [9, 9]);
});
