import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, parseRule, codes } from '../helpers.js';

const rule = (condition: string | string[]) => `title: Condition test
logsource:
    product: test
detection:
    sel_a:
        A: 1
    sel_b:
        B: 1
    filter_c:
        C: 1
    _hidden:
        H: 1
    condition: ${Array.isArray(condition) ? '\n' + condition.map((c) => `        - '${c}'`).join('\n') : condition}
`;

// Every combination of the fields A, B, C, H set to 1 or 0: the truth table the conditions are checked on.
const events = Array.from({ length: 16 }, (_, i) => ({ A: i & 1 ? 1 : 0, B: i & 2 ? 1 : 0, C: i & 4 ? 1 : 0, H: i & 8 ? 1 : 0 }));
const truth = (f: (e: { A: number; B: number; C: number; H: number }) => boolean) => events.flatMap((e, i) => (f(e) ? [i] : []));

test('precedence: or < and < not', () => {
  assert.deepEqual(matches(rule('sel_a or sel_b and not filter_c'), events), truth((e) => !!e.A || (!!e.B && !e.C)));
  assert.deepEqual(matches(rule('not sel_a and sel_b'), events), truth((e) => !e.A && !!e.B));
  assert.deepEqual(matches(rule('(sel_a or sel_b) and not filter_c'), events), truth((e) => (!!e.A || !!e.B) && !e.C));
  assert.deepEqual(matches(rule('not (sel_a or sel_b)'), events), truth((e) => !e.A && !e.B));
});

test('1 of, any of, all of with patterns and them; _ identifiers left out', () => {
  assert.deepEqual(matches(rule('1 of sel_*'), events), truth((e) => !!e.A || !!e.B));
  assert.deepEqual(matches(rule('any of sel_*'), events), truth((e) => !!e.A || !!e.B));
  assert.deepEqual(matches(rule('all of sel_*'), events), truth((e) => !!e.A && !!e.B));
  assert.deepEqual(matches(rule('all of them'), events), truth((e) => !!e.A && !!e.B && !!e.C));
  assert.deepEqual(matches(rule('1 of them'), events), truth((e) => !!e.A || !!e.B || !!e.C));
  assert.deepEqual(matches(rule('1 of sel_* and not 1 of filter_*'), events), truth((e) => (!!e.A || !!e.B) && !e.C));
  assert.deepEqual(matches(rule('all of sel_* or _hidden'), events), truth((e) => (!!e.A && !!e.B) || !!e.H));
});

test('a list of conditions is OR-linked', () => {
  assert.deepEqual(matches(rule(['sel_a and sel_b', 'filter_c']), events), truth((e) => (!!e.A && !!e.B) || !!e.C));
});

test('condition errors are located at the offending token', () => {
  const cases: Array<[string, string, number]> = [
    ['sel_a and', 'condition-syntax', 16 + 9],
    ['sel_a and (sel_b', 'condition-syntax', 16 + 16],
    ['sel_x', 'undefined-identifier', 16],
    ['1 of nothing_*', 'undefined-identifier', 16],
    ['sel_a | count() > 5', 'aggregation-syntax', 16 + 6],
    ['sel_a | near sel_b', 'aggregation-syntax', 16 + 6],
    ['2 of sel_*', 'condition-syntax', 16],
  ];
  for (const [cond, code, col] of cases) {
    const errors = parseRule(rule(cond)).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(codes(errors), [code], cond);
    assert.deepEqual([errors[0]!.line, errors[0]!.col], [13, col], cond);
  }
});

test('lists of maps are OR, maps are AND, keyword lists search every value', () => {
  const r = `title: Shapes
logsource:
    product: test
detection:
    selection:
        - A: 1
          B: 1
        - C: 1
    keywords:
        - 'mimikatz'
        - 'rubeus'
    condition: selection or keywords
`;
  const evs = [{ A: 1, B: 1 }, { A: 1 }, { C: 1 }, { Msg: 'ran MIMIKATZ.exe' }, { Nested: { deep: ['x', 'Rubeus kerberoast'] } }, { Msg: 'nothing' }];
  assert.deepEqual(matches(r, evs), [0, 2, 3, 4]);
});
