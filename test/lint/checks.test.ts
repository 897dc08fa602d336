// Each lint check on a rule it must flag and one it must pass, table-driven; the fixes applied and
// the result read back; the inline and config suppression.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lintDocument, lintTexts } from '../../src/lint/lint.js';
import { DEFAULT_CONFIG, parseLintConfig, type LintConfig } from '../../src/lint/config.js';
import { parseTaxonomy } from '../../src/lint/taxonomy.js';
import { applyEdits } from '../../src/lint/edits.js';
import { LINT_CHECKS } from '../../src/lint/catalogue.js';

/** A rule that passes every check; cases change one part of it. */
function rule(over: { title?: string; head?: string; detection?: string; condition?: string; tail?: string } = {}): string {
  return `title: ${over.title ?? 'Suspicious Bitsadmin Download'}
id: 9a6c5b8e-1f3d-4b7a-9c2e-5d4f3a2b1c0d
status: test
description: Detects bitsadmin.exe downloading a file from the internet
references:
    - https://lolbas-project.github.io/lolbas/Binaries/Bitsadmin/
author: Quarry tests
date: 2024-03-01
modified: 2024-05-02
tags:
    - attack.t1197
    - attack.persistence
${over.head ?? ''}logsource:
    category: process_creation
    product: windows
detection:
${over.detection ?? `    selection:
        Image|endswith: '\\bitsadmin.exe'
        CommandLine|contains: '/transfer'`}
    condition: ${over.condition ?? 'selection'}
falsepositives:
    - Software updaters
level: medium
${over.tail ?? ''}`;
}

const FILE = 'rules/proc_creation_win_bitsadmin_download.yml';
const taxonomy = parseTaxonomy(readFileSync('../shared/data/sigmahq/tests/logsource.json', 'utf8'), 'logsource.json');

interface Case {
  check: string;
  failing: string;
  passing: string;
  file?: string;
  passingFile?: string;
  /** The failing text once its fixes are applied, when the check has a fix. */
  fixed?: string;
}

const CASES: Case[] = [
  { check: 'sigmahq-filename-prefix', failing: rule(), file: 'rules/bitsadmin_download.yml', passing: rule() },
  { check: 'sigmahq-filename-format', failing: rule(), file: 'rules/Proc-Creation-Win-Bits.yml', passing: rule() },
  { check: 'sigmahq-title', failing: rule({ title: 'Bitsadmin Download.' }), passing: rule(), fixed: rule({ title: 'Bitsadmin Download' }) },
  { check: 'sigmahq-title', failing: rule({ title: 'Detects Bitsadmin Download' }), passing: rule() },
  { check: 'sigmahq-description', failing: rule().replace(/^description: .*\n/m, 'description: BITS\n'), passing: rule() },
  { check: 'sigmahq-required-fields', failing: rule().replace(/^author: .*\n/m, ''), passing: rule() },
  { check: 'sigmahq-falsepositives', failing: rule().replace(/^falsepositives:\n {4}- .*\n/m, ''), passing: rule() },
  { check: 'sigmahq-reference-url', failing: rule().replace('https://lolbas-project.github.io/lolbas/Binaries/Bitsadmin/', 'Internal research'), passing: rule() },
  { check: 'attack-unknown-id', failing: rule().replace('attack.t1197', 'attack.t1197.999'), passing: rule() },
  {
    check: 'contains-wildcard',
    failing: rule({ detection: "    selection:\n        Image|endswith: '*\\bitsadmin.exe'\n        CommandLine|contains: '/transfer*' # keep" }),
    passing: rule({ detection: "    selection:\n        CommandLine|contains: 'a\\*'" }),
    fixed: rule({ detection: "    selection:\n        Image|endswith: '\\bitsadmin.exe'\n        CommandLine|contains: '/transfer' # keep" }),
  },
  {
    check: 'regex-could-be-plain',
    failing: rule({ detection: "    selection:\n        CommandLine|re: '^bitsadmin\\.exe /transfer'" }),
    passing: rule({ detection: "    selection:\n        CommandLine|re: '^bitsadmin(\\.exe)? /transfer'" }),
  },
  {
    check: 'single-of-them',
    failing: rule({ condition: 'all of them' }),
    passing: rule({ detection: "    selection:\n        Image|endswith: '\\bitsadmin.exe'\n    filter:\n        CommandLine: x", condition: 'all of them' }),
    fixed: rule({ condition: 'selection' }),
  },
  {
    check: 'duplicate-values',
    failing: rule({ detection: "    selection:\n        CommandLine|contains:\n            - '/transfer'\n            - '/Transfer'  # same\n            - '/addfile'" }),
    passing: rule({ detection: "    selection:\n        CommandLine|contains|cased:\n            - '/transfer'\n            - '/Transfer'" }),
    fixed: rule({ detection: "    selection:\n        CommandLine|contains:\n            - '/transfer'\n            - '/addfile'" }),
  },
  {
    check: 'never-matches',
    failing: rule({ detection: "    selection:\n        Image|endswith: '\\bitsadmin.exe'\n    filter_main:\n        ParentImage: 'C:\\Windows\\explorer.exe'\n        ParentImage|startswith: 'C:\\Program Files\\'", condition: 'selection and not filter_main' }),
    passing: rule({ detection: "    selection:\n        Image|endswith: '\\bitsadmin.exe'\n    filter_main:\n        ParentImage: 'C:\\Program Files\\Updater\\up.exe'\n        ParentImage|startswith: 'C:\\Program Files\\'", condition: 'selection and not filter_main' }),
  },
  {
    check: 'unknown-field',
    failing: rule({ detection: "    selection:\n        ImagePath|endswith: '\\bitsadmin.exe'" }),
    passing: rule(),
  },
  { check: 'legacy-date-format', failing: rule().replace('date: 2024-03-01', 'date: 2024/03/01'), passing: rule(), fixed: rule() },
  { check: 'unused-identifier', failing: rule({ detection: "    selection:\n        Image|endswith: x\n    filter:\n        Image: y" }), passing: rule() },
];

const config: LintConfig = { ...DEFAULT_CONFIG, taxonomy };
const ids = (text: string, file = FILE) => lintDocument(text, file, config).findings.map((f) => f.check);

for (const c of CASES) {
  test(`${c.check}: flags ${c.failing === rule() ? c.file : 'the failing example'} and passes the clean one`, () => {
    const failing = lintDocument(c.failing, c.file ?? FILE, config).findings.filter((f) => f.check === c.check);
    assert.ok(failing.length > 0, `${c.check} should fire: ${JSON.stringify(lintDocument(c.failing, c.file ?? FILE, config).findings)}`);
    for (const f of failing) assert.ok(f.range.start.line >= 1 && f.message.length > 0);
    assert.deepEqual(ids(c.passing, c.passingFile ?? FILE).filter((x) => x === c.check), []);
    if (c.fixed !== undefined) {
      const out = applyEdits(c.failing, failing.flatMap((f) => f.fix?.edits ?? []));
      assert.equal(out.text, c.fixed);
      assert.deepEqual(ids(out.text).filter((x) => x === c.check), []);
    }
  });
}

test('every lint check has a case, and the clean rule has no finding at all', () => {
  // duplicate-title looks across files: its case is the last test of this file.
  for (const c of LINT_CHECKS.filter((x) => x.scope === 'document')) assert.ok(CASES.some((x) => x.check === c.id), `no case for ${c.id}`);
  assert.deepEqual(lintDocument(rule(), FILE, config).findings, []);
});

test('a finding carries the exact range of the value it is about', () => {
  const text = rule({ detection: "    selection:\n        CommandLine|contains: '/transfer*'" });
  const [f] = lintDocument(text, FILE, config).findings;
  assert.equal(f?.check, 'contains-wildcard');
  const line = text.split('\n')[f!.range.start.line - 1]!;
  assert.equal(line.slice(f!.range.start.col - 1, f!.range.end.col - 1), "'/transfer*'");
});

test('an inline comment suppresses a finding on its line or the next, and a file comment the whole file; both are counted', () => {
  const base = rule({ title: 'Bitsadmin Download.' });
  const sameLine = base.replace('title: Bitsadmin Download.', 'title: Bitsadmin Download. # quarry-lint-disable sigmahq-title');
  const before = base.replace('title: Bitsadmin Download.', '# quarry-lint-disable sigmahq-title\ntitle: Bitsadmin Download.');
  const other = base.replace('title: Bitsadmin Download.', 'title: Bitsadmin Download. # quarry-lint-disable contains-wildcard');
  const file = `# quarry-lint-disable-file\n${base}`;
  for (const t of [sameLine, before, file]) {
    const r = lintDocument(t, FILE, config);
    assert.deepEqual(r.findings, []);
    assert.equal(r.suppressed.get('sigmahq-title'), 1);
  }
  assert.deepEqual(ids(other), ['sigmahq-title']);
});

test('the config turns checks off by id or group, changes severities and ignores paths', () => {
  const text = rule({ title: 'Bitsadmin Download.' }).replace('https://lolbas-project.github.io/lolbas/Binaries/Bitsadmin/', 'notes');
  const c1 = parseLintConfig('disable: [sigmahq-title]\nseverity: { sigmahq-reference-url: error }\n', 'c.yml', '/r');
  assert.deepEqual(lintDocument(text, '/r/rules/proc_creation_win_x.yml', c1).findings.map((f) => `${f.check}:${f.severity}`), ['sigmahq-reference-url:error']);
  const c2 = parseLintConfig('disable: [sigmahq]\n', 'c.yml', '/r');
  assert.deepEqual(lintDocument(text, '/r/rules/proc_creation_win_x.yml', c2).findings, []);
  const c3 = parseLintConfig("ignore:\n  - paths: ['rules/**']\n    checks: [sigmahq-title]\n", 'c.yml', '/r');
  const r3 = lintDocument(text, '/r/rules/win/proc_creation_win_x.yml', c3);
  assert.deepEqual(r3.findings.map((f) => f.check), ['sigmahq-reference-url']);
  assert.equal(r3.suppressed.get('sigmahq-title'), 1);
  assert.throws(() => parseLintConfig('disable: [sigmahq-titel]\n', 'c.yml', '/r'), /no check or group 'sigmahq-titel' \(did you mean 'sigmahq-title'\?\)/);
  assert.throws(() => parseLintConfig('disabled: []\n', 'c.yml', '/r'), /unknown key 'disabled'/);
});

test('duplicate titles and ids across files are found', () => {
  const a = rule();
  const b = rule().replace('9a6c5b8e-1f3d-4b7a-9c2e-5d4f3a2b1c0d', '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e');
  const r = lintTexts([{ file: 'rules/proc_creation_win_a.yml', text: a }, { file: 'rules/proc_creation_win_b.yml', text: b }, { file: 'rules/proc_creation_win_c.yml', text: a.replace('Suspicious', 'Other') }], config);
  assert.deepEqual(r.findings.map((f) => `${f.file}:${f.check}`), ['rules/proc_creation_win_b.yml:duplicate-title', 'rules/proc_creation_win_c.yml:duplicate-id']);
});

test("duplicate-values: an encoding compares bytes, so case-only variants under '|base64offset' are different values", () => {
  const text = rule({ detection: "    selection:\n        CommandLine|base64offset|contains:\n            - 'IEX (['\n            - 'iex (['" });
  assert.deepEqual(ids(text).filter((x) => x === 'duplicate-values'), []);
});
