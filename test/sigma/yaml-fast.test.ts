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

test('a long map: duplicates before and after the reader switches from scanning to a lookup, same problems as the full parser', () => {
  // 40 keys (the reader scans the first 32 for repeats, then keeps a Map), repeats on both sides of
  // that point and across it; keys starting with every letter, upper and lower case.
  const keys = Array.from({ length: 40 }, (_, i) => `${String.fromCharCode(65 + (i % 26))}${i % 2 ? 'x' : 'Y'}${i}`);
  keys.push('BY1x', keys[3]!, keys[35]!, keys[3]!, 'later', 'later');
  keys[10] = keys[2]!; // a repeat well inside the scanned part
  const text = keys.map((k, i) => `${k}: ${i}`).join('\n') + '\n';
  const fast = fastYamlDocument(text);
  assert.ok(fast, 'the fast reader reads it');
  assert.deepEqual([fast], loadYamlDocumentsFully(text));
  assert.deepEqual(fast.problems.map((p) => p.message), [
    `duplicate key '${keys[2]}' (first defined at line 3)`,
    `duplicate key '${keys[3]}' (first defined at line 4)`,
    `duplicate key '${keys[35]}' (first defined at line 36)`,
    `duplicate key '${keys[3]}' (first defined at line 4)`,
    "duplicate key 'later' (first defined at line 45)",
  ]);
});

test('plain keys that the core schema reads as other than text go to the full parser; words starting with n, t or f stay keys', () => {
  for (const key of ['null', 'Null', 'true', 'False', '12', '-3', '~']) {
    assert.equal(fastYamlDocument(`title: a\n${key}: x\n`), null, key);
  }
  for (const key of ['name', 'notes', 'tags', 'Title', 'falsepositives', 'Field', 'zeta', 'nullable', 'trueish']) {
    const text = `title: a\n${key}: x\n`;
    const fast = fastYamlDocument(text);
    assert.ok(fast, key);
    assert.deepEqual([fast], loadYamlDocumentsFully(text), key);
  }
});

test('what it does not read exactly it leaves to the full parser', () => {
  const cases: Record<string, string> = {
    tab: 'title: a\ndetection:\n\tsel: x\n',
    'carriage return': 'title: a\r\nlevel: high\r\n',
    'no-break space': 'title: a\u00a0\n',
    flow: 'tags: [a, b]\n',
    'tab in indentation': 'a:\n\t- x\n',
    'tab after a value': 'a: x # \tc\n',
    'tab on a comment-looking line inside a block scalar (content there)': 'a: |\n  x\n  #\tc\n',
    'quoted scalar on the line below its key': 'a:\n  "x"\n',
    'block scalar header on the line below its key': 'a:\n  |\n  x\n',
    'plain text below a key running into a key (the full parser reads a key "foo b")': 'a:\n  foo\n  b: 1\n',
    'plain text below a key with a comment before its next line': 'a:\n  foo # c\n  bar\n',
    'dash alone as an item': 'a:\n  - -\n',
    'colon alone as an item (an empty key)': 'a:\n  - :\n',
    'question mark and a space (a complex key)': 'a:\n  - ? x\n',
    'colon-started key': 'a:\n  - :x: y\n',
    'integer past 300 digits (an infinity to the full parser)': `a: ${'9'.repeat(400)}\n`,
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
    // Integers the core schema reads with a sign or leading zeros (a keyboard layout '00050429').
    'a:\n    - 00050429  # Persian (Iran)\nb: 0017\nc: -00\nd: +0\ne: 00000000000000000000000000000000000000012\n',
    // A comment holding ': ' after a sequence item: the item is a scalar, not a key.
    'a:\n    - 4 # SYSLOG_ACTION_READ_CLEAR : Read and clear log\n    - k: v # c: d\n    - x # y:\n',
    // Plain scalars starting with ':', '?' or '-' and a non-space (a rule's stray quote included).
    "a:\n    - :\\ProgramData'\n    - ?x\n    - -x\nb: :x\nc: ?y\n",
    // A plain scalar on the lines below its key: a condition written over several lines.
    'condition:\n    selection_parent and\n    (\n        1 of selection_generic_*\n        or\n        (all of selection_* and not filter)\n    )\nlevel: high\n',
    'a:\n  # a comment first\n\n  foo\n\n  bar\nb:\n  x # and one after\n',
    // Its later lines need only be indented past the key's, not as far as its first line.
    'k:\n  a:\n      foo\n    bar\n   baz\n  b: 1\n',
    "a:\n  'k': v\n  \"j\": w\n",
    // Tabs on comment lines, as SigmaHQ writes them.
    "a:\n    # - '\t'  # Horizontal Tab (0x9)\n    - x\n#\t\nb: |\n    y\n# \t after a block scalar\n",
    // Double-quoted escapes, as SigmaHQ's homoglyph and path rules write them.
    'a: "\\u0410\\u0412"\nb: "C:\\\\Windows\\\\"\nc: "x\\ty\\n\\"q\\" \\/ \\0\\a\\b\\v\\f\\r\\e\\ \\N\\_\\L\\P"\nd: "\\x41\\U0001F600"\n',
    '"k\\u00e9y": 1\n',
    // Special spaces inside quotes, as whitespace-padding rules write them.
    "a:\n    - '\u00a0'\n    - '\u2000\u2001\u2002'\n    - \"\u3000x\u202f\"\n'\u00a0k': 1\n",
  ]) {
    const fast = fastYamlDocument(text);
    assert.ok(fast, `left to the full parser: ${JSON.stringify(text)}`);
    assert.deepEqual([fast], loadYamlDocumentsFully(text), text);
  }
});

test('digits with leading zeros stay text in both readers (a keyboard layout 00000429 is no number 429)', () => {
  const text = 'a: 00000429\nb: 0017\nc: -00\nd: 0\ne: -0\nf: 10\ng: +5\nh: 007.5\n';
  const values = (docs: ReturnType<typeof loadYamlDocumentsFully>) => (docs[0]!.root as { entries: Array<{ value: { value: unknown } }> }).entries.map((e) => e.value.value);
  assert.deepEqual(values(loadYamlDocumentsFully(text)), ['00000429', '0017', '-00', 0, -0, 10, 5, '007.5']);
  const fast = fastYamlDocument(text.replace('h: 007.5\n', '')); // a float is the full parser's
  assert.ok(fast);
  assert.deepEqual(values([fast]), ['00000429', '0017', '-00', 0, -0, 10, 5]);
});

test('flow collections, which no SigmaHQ rule has, stay with the full parser, which reads them', () => {
  for (const text of [
    'tags: []\n',
    'tags: [a, b]\n',
    "tags: ['a, b', \"c]\", d]\n",
    'tags: [a, [b, c]]\n',
    'tags: [a, b,]\n',
    'tags: [a, b] # c\n',
    'tags:\n  - [a, b]\n',
    'tags: [a,\n  b]\n',
    'a: {}\n',
    'a: {k: v}\n',
  ]) {
    assert.equal(fastYamlDocument(text), null, text);
    const [doc, ...more] = loadYamlDocuments(text);
    assert.equal(more.length, 0, text);
    assert.deepEqual(doc!.problems, [], text);
  }
});

test('YAML errors the fast reader leaves are located by the full parser', () => {
  const cases: [string, string, string][] = [
    // \P is an escape (U+2029), \* is not: the error is at the backslash before '*'.
    ['title: a\ndetection:\n    sel: "C:\\Program Files\\*"\n', '3:27', 'Invalid escape sequence \\*'],
    ['tags: [a, b\nlevel: high\n', '2:1', 'Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['tags: [a, b]]\n', '1:13', 'Unexpected flow-seq-end token in YAML stream: "]"'],
    ['a: {x: 1\n', '2:1', 'Flow map in block collection must be sufficiently indented and end with a }'],
    ['a:\n\t- x\n', '2:1', 'Tabs are not allowed as indentation'],
  ];
  for (const [text, at, message] of cases) {
    assert.equal(fastYamlDocument(text), null, text);
    const p = loadYamlDocuments(text)[0]!.problems[0]!;
    assert.deepEqual([p.code, `${p.span.start.line}:${p.span.start.col}`, p.message], ['yaml-syntax', at, message], text);
  }
});
