// The literal prefilter may only over-select: with it, every event meets exactly the detections a
// full scan of the candidate rules finds. Checked on the Windows corpus and the regression events,
// and through the detector (the hunt's path) against its plain path, detections in the same order,
// over the regression events and every record of the public EVTX samples, with every SigmaHQ rule
// of every rules* folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { prepareRules } from '../../src/engine/rulebook.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { EventView } from '../../src/engine/event-access.js';
import { Detector } from '../../src/engine/detector.js';
import { openEvtxSource } from '../../src/sources/evtx-source.js';
import { openSource } from '../../src/sources/open-source.js';
import { DATA } from '../helpers.js';

// Both ways of finding a field's literals: its automaton from the first value (buildAfter 0), and
// String#includes literal by literal for every value (never built). The detector test below runs
// the hunt's default, the one and then the other. With automata, what they found in a value is
// replayed when the value comes back (the value memo): kept, and emptied after nearly every
// value (memoBudget 64). Every event is matched twice, the second time from the memo.
for (const [buildAfter, memoBudget] of [[0, undefined], [0, 64], [Infinity, undefined]] as const)
  test(`prefilter + index select exactly the detections of a full scan over every rule (buildAfter ${buildAfter}, memoBudget ${memoBudget ?? 'default'})`, async () => {
    const col = loadSigmaPaths([join(DATA, 'sigmahq/rules/windows')]);
    const set = prepareRules(col, { pipelines: [builtinPipeline('windows')!], regex: re2Regex }).set;
    set.prefilter.buildAfter = buildAfter;
    if (memoBudget !== undefined) set.prefilter.memoBudget = memoBudget;
    const reg = join(DATA, 'sigma-regression');
    const events: Array<Record<string, unknown>> = [];
    for (const c of readdirSync(reg).filter((c) => !c.endsWith('.tsv')))
      for (const f of readdirSync(join(reg, c)).filter((f) => f.endsWith('.json'))) {
        const src = await openSource(join(reg, c, f));
        for await (const r of src.records()) events.push(r.event);
      }
    let total = 0;
    for (const e of [...events, ...events]) {
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
    assert.ok(total >= 280, `${total} detections over ${events.length} events, twice`);
    assert.ok(set.prefilter.anchored.filter(Boolean).length > set.rules.length * 0.9, 'most rules are anchored');
  });

async function events(dir: string, read: (file: string) => AsyncIterable<{ event: Record<string, unknown> }>, ext: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const sub of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort())
    for (const f of readdirSync(join(dir, sub)).filter((f) => f.endsWith(ext)).sort()) for await (const r of read(join(dir, sub, f))) out.push(r.event);
  return out;
}

test('the detector with the prefilter gives the plain path detections, in order, on the regression events and the EVTX samples', async () => {
  // Every rules* folder (rules, emerging threats, threat hunting, compliance, DFIR, placeholders).
  const folders = readdirSync(join(DATA, 'sigmahq')).filter((d) => d.startsWith('rules')).sort();
  assert.ok(folders.length >= 6, folders.join(', '));
  const col = loadSigmaPaths(folders.map((d) => join(DATA, 'sigmahq', d)));
  const set = prepareRules(col, { pipelines: [builtinPipeline('windows')!], regex: re2Regex }).set;
  const fast = new Detector(set, { regex: re2Regex, explain: false });
  const plain = new Detector(set, { regex: re2Regex, explain: false, prefilter: false });
  const regression = await events(join(DATA, 'sigma-regression'), async function* (f) {
    yield* (await openSource(f)).records();
  }, '.json');
  const evtx = await events(join(DATA, 'evtx'), (f) => openEvtxSource(f).records(), '.evtx');
  assert.ok(regression.length > 100 && evtx.length > 10_000, `${regression.length} regression events, ${evtx.length} EVTX records`);
  const detections = { regression: 0, evtx: 0 };
  for (const [name, list] of [['regression', regression], ['evtx', evtx]] as const)
    for (const e of list) {
      const a = fast.next(structuredClone(e)).matches.map((m) => m.rule.index);
      const b = plain.next(structuredClone(e)).matches.map((m) => m.rule.index);
      assert.deepEqual(a, b, `${name} event ${String(e.Channel)} ${String(e.EventRecordID)}`);
      detections[name] += b.length;
    }
  assert.ok(detections.regression >= 140 && detections.evtx >= 200, JSON.stringify(detections));
});
