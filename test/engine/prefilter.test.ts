// The literal prefilter may only over-select: with it, every event meets exactly the detections a
// full scan of the candidate rules finds. Checked on the Windows corpus and the regression events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { EventView } from '../../src/engine/event-access.js';
import { AhoCorasick } from '../../src/engine/aho-corasick.js';
import { openSource } from '../../src/sources/open-source.js';
import { DATA } from '../helpers.js';

test('Aho–Corasick finds every occurrence of overlapping patterns', () => {
  const patterns = ['he', 'she', 'his', 'hers', 'e', '\u{1F600}'];
  const ac = new AhoCorasick(patterns);
  const found: string[] = [];
  ac.scan('ushers \u{1F600}', (id) => found.push(patterns[id]!));
  assert.deepEqual(found.sort(), ['e', 'he', 'hers', 'she', '\u{1F600}'].sort());
});

test('prefilter + index select exactly the detections of a full scan over every rule', async () => {
  const col = loadSigmaPaths([join(DATA, 'sigmahq/rules/windows')]);
  const set = prepareRules(col, { pipelines: [builtinPipeline('windows')!], regex: re2Regex }).set;
  const reg = join(DATA, 'sigma-regression');
  const events: Array<Record<string, unknown>> = [];
  for (const c of readdirSync(reg).filter((c) => !c.endsWith('.tsv')))
    for (const f of readdirSync(join(reg, c)).filter((f) => f.endsWith('.json'))) {
      const src = await openSource(join(reg, c, f));
      for await (const r of src.records()) events.push(r.event);
    }
  let total = 0;
  for (const e of events) {
    const ev = new EventView(e);
    const fast = new Set<number>();
    const allowed = set.prefilter.scan(ev);
    for (const r of set.index.candidates(ev)) if (allowed.allows(r.index) && (!r.guard || r.guard(ev)) && r.detection(ev)) fast.add(r.index);
    const full = new Set<number>();
    for (const r of set.rules) if (r.guard && r.guard(ev) && r.detection(ev)) full.add(r.index);
    for (const r of set.index.windowsWide) if (r.detection(ev)) full.add(r.index);
    assert.deepEqual([...fast].sort(), [...full].sort(), `event ${String(e.EventRecordID)}`);
    total += full.size;
  }
  assert.ok(total >= 140, `${total} detections over ${events.length} events`);
  assert.ok(set.prefilter.anchored.filter(Boolean).length > set.rules.length * 0.9, 'most rules are anchored');
});
