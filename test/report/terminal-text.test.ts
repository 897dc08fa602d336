// Terminal injection: a log value or a rule title holding `ESC ] 0 ; PWNED BEL ESC [ 2 J` (retitle
// the terminal, clear the screen) is shown escaped by every person-oriented output of the real
// commands, while JSONL and CSV keep the exact data.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terminalLine, terminalText } from '../../src/report/terminal-text.js';
import { renderTable } from '../../src/report/text-table.js';
import { REPO } from '../helpers.js';

const EVIL = '\x1b]0;PWNED\x07\x1b[2J';
const SHOWN = '\\x1b]0;PWNED\\x07\\x1b[2J';
const tmp = mkdtempSync(join(tmpdir(), 'quarry-terminal-'));
const rules = join(tmp, 'rules');
const log = join(tmp, 'proxy.ndjson');
const quarry = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/quarry.js'), ...args], { encoding: 'utf8', cwd: REPO });

/** No byte a terminal would act on: C0 except tab and newline, DEL, C1. */
function assertInert(text: string, what: string): void {
  const bad = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/.exec(text);
  assert.equal(bad, null, `${what} holds control character U+${bad?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${bad?.index}: ${JSON.stringify(text.slice(Math.max(0, (bad?.index ?? 0) - 40), (bad?.index ?? 0) + 20))}`);
}

before(() => {
  mkdirSync(rules);
  // YAML double-quoted strings spell ESC and BEL as \e and \a.
  writeFileSync(
    join(rules, 'evil_title.yml'),
    `title: "Evil title \\e]0;PWNED\\a\\e[2J here"
id: 0e5a1c4d-1b2f-4c3d-9e8f-7a6b5c4d3e2f
status: experimental
logsource:
    category: proxy
detection:
    selection:
        c-useragent|startswith: 'Microsoft BITS/'
    condition: selection
level: high
`,
  );
  // A rejected document in a file whose name holds the sequence: it is quoted in every message.
  writeFileSync(join(rules, `bad${EVIL}.yml`), 'title: no detection\nlogsource:\n    category: proxy\n');
  writeFileSync(log, JSON.stringify({ ts: '2026-11-20T08:15:03.200Z', 'cs-host': `cdn${EVIL}.top`, 'c-useragent': `Microsoft BITS/7.8 ${EVIL}` }) + '\n');
});

test('control characters are escaped, layout kept where asked', () => {
  assert.equal(terminalLine(EVIL), SHOWN);
  assert.equal(terminalText(`a\tb\n${EVIL}\r\n`), `a\tb\n${SHOWN}\\x0d\n`);
  assert.equal(terminalLine('a\tb\nc'), 'a\\x09b\\x0ac');
  // C1 CSI (0x9B) alone starts an escape sequence on some terminals; DEL; bidi override and isolate.
  assert.equal(terminalLine('\x9b2J\x7f\u202eevil\u2066'), '\\x9b2J\\x7f\\u202eevil\\u2066');
  // Text that is already plain is untouched (Windows paths, Unicode).
  assert.equal(terminalText('C:\\Windows\\System32\\cmd.exe — ünïcode ✓'), 'C:\\Windows\\System32\\cmd.exe — ünïcode ✓');
  assert.equal(renderTable(['value'], [[EVIL]]), `value\n${'-'.repeat(SHOWN.length)}\n${SHOWN}`);
});

test('quarry hunt: the table, banner and summary show the sequence escaped; JSONL and CSV keep it', () => {
  const r = quarry('hunt', '--rules', rules, log);
  assertInert(r.stdout, 'hunt table (stdout)');
  assertInert(r.stderr, 'hunt banner and summary (stderr)');
  assert.ok(r.stdout.includes(`[HIGH] Evil title ${SHOWN} here`), r.stdout);
  assert.ok(r.stdout.includes(`(event: Microsoft BITS/7.8 ${SHOWN})`), r.stdout);
  assert.ok(r.stderr.includes(`bad${SHOWN}.yml`), r.stderr);
  assert.ok(r.stderr.includes(`Evil title ${SHOWN} here`), r.stderr);

  const jsonl = quarry('hunt', '--rules', rules, '--format', 'jsonl', '--quiet', log);
  const d = JSON.parse(jsonl.stdout.trim());
  assert.equal(d.rule.title, `Evil title ${EVIL} here`);
  assert.equal(d.event['cs-host'], `cdn${EVIL}.top`);
  const csvFile = join(tmp, 'out.csv');
  quarry('hunt', '--rules', rules, '--format', 'csv', '--quiet', '--output', csvFile, log);
  assert.ok(readFileSync(csvFile, 'utf8').includes(`Evil title ${EVIL} here`));
});

test('quarry explore: the banner shows a root with control characters escaped', () => {
  const root = join(tmp, `roots${EVIL}`);
  mkdirSync(root);
  const r = quarry('explore', '--check', '--port', '0', '--rules', root);
  assertInert(r.stdout + r.stderr, 'explore');
  assert.ok(r.stderr.includes(`roots${SHOWN}`), r.stderr);
});

test('quarry validate, convert and stack: messages and tables escaped; validate --format json exact', () => {
  const v = quarry('validate', rules);
  assertInert(v.stdout + v.stderr, 'validate');
  assert.ok(v.stdout.includes(`bad${SHOWN}.yml:`), v.stdout);
  const vj = quarry('validate', '--format', 'json', rules);
  assert.ok(vj.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).some((f) => f.file.endsWith(`bad${EVIL}.yml`)));

  const c = quarry('convert', '--target', 'sql', rules);
  assertInert(c.stderr, 'convert messages');
  assert.ok(c.stderr.includes(`bad${SHOWN}.yml`), c.stderr);

  const s = quarry('stack', '--by', 'cs-host', log);
  assertInert(s.stdout + s.stderr, 'stack');
  assert.ok(s.stdout.includes(`cdn${SHOWN}.top`), s.stdout);
  const sj = quarry('stack', '--by', 'cs-host', '--format', 'jsonl', log);
  assert.equal(JSON.parse(sj.stdout.trim()).value, `cdn${EVIL}.top`);
});
