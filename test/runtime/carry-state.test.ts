// Correlation state across a change of rules, in process: the held matches and groups of an
// unchanged correlation move to its new position; those of a changed one are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSigmaText } from '../../src/sigma/load.js';
import { resolveCorrelations } from '../../src/sigma/correlation-plan.js';
import type { SigmaCorrelation, SigmaRule } from '../../src/sigma/model.js';
import { Correlator } from '../../src/engine/correlation/correlator.js';
import { carryState, planFingerprints } from '../../src/engine/correlation/carry-state.js';

const base = (id: string, name: string) => `title: ${name}
id: ${id}
name: ${name}
status: test
logsource: {category: proxy}
detection:
    s: {c-useragent|startswith: 'Microsoft BITS/'}
    condition: s
`;
const count = (id: string, title: string, rule: string, timespan: string) => `title: ${title}
id: ${id}
status: test
correlation:
    type: event_count
    rules: [${rule}]
    group-by: [c-ip]
    timespan: ${timespan}
    condition: {gte: 2}
`;

function plan(docs: string[]) {
  const parsed = parseSigmaText(docs.join('---\n'), 'rules.yml');
  const rules: SigmaRule[] = [];
  const correlations: SigmaCorrelation[] = [];
  for (const d of parsed.documents) {
    if (d.document?.kind === 'rule') rules.push(d.document);
    else if (d.document?.kind === 'correlation') correlations.push(d.document as SigmaCorrelation);
  }
  return { rules, plan: resolveCorrelations(rules, correlations) };
}

const A = base('00000000-0000-4000-8000-00000000000a', 'bits_a');
const B = base('00000000-0000-4000-8000-00000000000b', 'bits_b');
const CA = (span: string) => count('00000000-0000-4000-8000-0000000000ca', 'Count A', 'bits_a', span);
const CB = count('00000000-0000-4000-8000-0000000000cb', 'Count B', 'bits_b', '1h');

test('an unchanged correlation keeps its held matches at its new position; a changed one loses them', () => {
  const before = plan([A, B, CA('1h'), CB]);
  const c1 = new Correlator(before.plan, { latenessMs: 0 });
  const ev = (ip: string) => ({ 'c-ip': ip, 'c-useragent': 'Microsoft BITS/7.8' });
  // One match each; zero lateness releases them into their groups at once.
  c1.push({ rule: before.rules[0]!, time: 1000, event: ev('10.0.0.1'), ref: { file: 'a' } });
  c1.push({ rule: before.rules[1]!, time: 2000, event: ev('10.0.0.2'), ref: { file: 'b' } });
  assert.equal(c1.groupsHeld, 2);
  // Count A's timespan changes and the order of the correlations is reversed.
  const after = plan([A, B, CB, CA('2h')]);
  const carried = carryState(c1.snapshot(), planFingerprints(before.plan), after.plan);
  assert.deepEqual(carried.kept, ['Count B']);
  assert.equal(carried.dropped, 1);
  const c2 = new Correlator(after.plan, { latenessMs: 0 });
  c2.restore(carried.snapshot);
  assert.equal(c2.groupsHeld, 1);
  // Count B's second match completes its kept group; Count A starts over and needs two again.
  const b = c2.push({ rule: after.rules[1]!, time: 3000, event: ev('10.0.0.2'), ref: { file: 'b' } });
  assert.deepEqual(b.map((a) => [a.correlation.title, a.value]), [['Count B', 2]]);
  const a = c2.push({ rule: after.rules[0]!, time: 4000, event: ev('10.0.0.1'), ref: { file: 'a' } });
  assert.deepEqual(a, []);
});
