// The fast YAML reader (src/sigma/yaml-fast.ts): what it reads equals the `yaml` package's tree
// exactly (positions, ends, values, sources, duplicate keys), and what might differ or be an error it
// leaves to the full parser, so every problem is still reported at its line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastYamlDocument } from '../../src/sigma/yaml-fast.js';
import { loadYamlDocuments, loadYamlDocumentsFully } from '../../src/sigma/yaml-tree.js';

const RULE = `# a leading comment
title: Suspicious 'Thing'   # trailing comment
id: 5f9a3c1e-0000-4000-8000-000000000001
status: test
description: |
    Detects a thing.
      Indented lines are kept in a literal block.

    After a blank line.
references:
    - https://example.com/a#fragment
    -   'https://example.com/b'
author: A. Person, B. Person
date: 2024-01-02
tags:
- attack.execution
- attack.t1059.001
logsource:
    product: windows
    category: process_creation
detection:
    selection_img:
        - Image|endswith: '\\powershell.exe'
          OriginalFileName: 'PowerShell.EXE'
        - Image|endswith: \\pwsh.exe
    selection_cli:
        CommandLine|contains|all:
            - ' -enc '
            - "quoted"
            - 'it''s'
        EventID: 4688
        Negative: -12
        Big: 123456789012345678901234567890
        Flag: true
        Nothing: null
        Tilde: ~
        Empty:
        Empty2: ''
    condition: all of selection_*
falsepositives:
    - A plain scalar
      that runs on to a second line

      and a third after a blank line
level: high
notes: >-
    Folded text
    joined by spaces.

    A paragraph.
strip: |-
    stripped

`;

test('a realistic rule: the fast tree equals the full parser\'s, node for node', () => {
  const fast = fastYamlDocument(RULE);
  assert.ok(fast, 'the fast reader reads it');
  assert.deepEqual([fast], loadYamlDocumentsFully(RULE));
  const root = fast.root!;
  assert.equal(root.kind, 'map');
  assert.deepEqual(fast.pos, { line: 2, col: 1 }, 'the document starts at its first content, after the comment');
});

test('duplicate keys: the same located problem from both readers', () => {
  const text = 'title: a\ndetection:\n    sel:\n        A: 1\n        A: 2\n    condition: sel\ntitle: b\n';
  const fast = fastYamlDocument(text);
  assert.ok(fast);
  assert.deepEqual([fast], loadYamlDocumentsFully(text));
  assert.deepEqual(fast.problems.map((p) => [p.code, p.span.start, p.message]), [
    ['duplicate-key', { line: 5, col: 9 }, "duplicate key 'A' (first defined at line 4)"],
    ['duplicate-key', { line: 7, col: 1 }, "duplicate key 'title' (first defined at line 1)"],
  ]);
});

test('what it does not read exactly it leaves to the full parser', () => {
  const cases: Record<string, string> = {
    tab: 'title: a\ndetection:\n\tsel: x\n',
    'carriage return': 'title: a\r\nlevel: high\r\n',
    'no-break space': 'title: a\u00a0\n',
    flow: 'tags: [a, b]\n',
    anchor: 'a: &x 1\nb: *x\n',
    tag: 'a: !!str 1\n',
    'two documents': 'title: a\n---\ntitle: b\n',
    directive: '%YAML 1.2\n---\ntitle: a\n',
    'unknown escape in double quotes': 'a: "C:\\Program Files\\*"\n',
    'escaped quote running to the end of the line': 'a: "C:\\"\n',
    'escape too short': 'a: "\\x4"\n',
    'escape making a lone surrogate': 'a: "\\ud800"\n',
    'escaped line break': 'a: "x\\\n  y"\n',
    'no-break space in a plain key': 'ti\u00a0tle: a\n',
    'em space in a comment': "a: 'x' # \u2003\n",
    'no-break space beside a quoted one': "a: '\u00a0'\nb: x\u00a0y\n",
    'quote over two lines': "a: 'x\n  y'\n",
    float: 'a: 1.5\n',
    hex: 'a: 0x17\n',
    'leading zero': 'a: 0017\n',
    infinity: 'a: .inf\n',
    'nested mapping in a value': 'a: b: c\n',
    'sequence in a sequence': 'a:\n  - - x\n',
    'bad indentation': 'a:\n    b: 1\n  c: 2\n',
    'text after a quote': "a: 'x' y\n",
    'only comments': '# nothing here\n',
    'a scalar document': 'just text\n',
    'number key': '4624: x\n',
    'block scalar with explicit indentation': 'a: |2\n   x\n',
    'block scalar keeping trailing lines': 'a: |+\n  x\n\n',
  };
  for (const [what, text] of Object.entries(cases)) assert.equal(fastYamlDocument(text), null, what);
});

test('errors keep their position: a tab-indented rule is read by the full parser and located', () => {
  const docs = loadYamlDocuments('title: a\ndetection:\n\tsel: x\n');
  const p = docs[0]!.problems[0]!;
  assert.equal(p.code, 'yaml-syntax');
  assert.deepEqual(p.span.start, { line: 3, col: 1 });
});

test('small shapes the corpus has: each equal to the full parser\'s tree', () => {
  for (const text of [
    'a:\n- x\n- y\nb: 1\n',
    '- a: 1\n  b: 2\n- c\n',
    'a:\n    - k: |\n          block in a list\n      j: 2\n',
    'a: x # c\n\n\n# end\n',
    'a: "double \'quoted\'"\nb: \'single "quoted"\'\n',
    'a: # nothing\nb: 1\nc:   \nd:\n',
    'a:  # a comment before a nested block\n  k: v\nb: # and a list\n  - x\n',
    "'|all':\n  - x\n\"k y\": 1\n'it''s': 2\n",
    'a: -x\nb: x:y\nc: a#b\n',
    'a: >\n    one\n    two\n\n\nb: 1\n',
    'a: x\n  y\n  z\n',
    'a:\n',
    'a: 9007199254740993\nb: -0\nc: +5\n',
    // Double-quoted escapes, as SigmaHQ's homoglyph and path rules write them.
    'a: "\\u0410\\u0412"\nb: "C:\\\\Windows\\\\"\nc: "x\\ty\\n\\"q\\" \\/ \\0\\a\\b\\v\\f\\r\\e\\ \\N\\_\\L\\P"\nd: "\\x41\\U0001F600"\n',
    '"k\\u00e9y": 1\n',
    // Special spaces inside quotes, as whitespace-padding rules write them.
    "a:\n    - '\u00a0'\n    - '\u2000\u2001\u2002'\n    - \"\u3000x\u202f\"\n'\u00a0k': 1\n",
  ]) {
    const fast = fastYamlDocument(text);
    if (fast) assert.deepEqual([fast], loadYamlDocumentsFully(text), text);
    else assert.ok(['a: 9007199254740993\nb: -0\nc: +5\n'].includes(text), `left to the full parser: ${JSON.stringify(text)}`);
  }
});
