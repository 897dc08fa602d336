import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { expandEvtxInputs, readEvtxAll } from '../../src/sources/evtx/index.js';
import { DATA } from './helpers.js';
import { parseXml, parseXmlElement } from './mini-xml.js';
import { diffEvents, flattenEvent, type Flat } from './evtxexport-compare.js';
import { needs } from '../services.js';

const run = promisify(execFile);
const missing = needs('evtxexport');

const files = await expandEvtxInputs([path.join(DATA, 'evtx'), path.join(DATA, 'sigma-regression')]);

async function exported(file: string): Promise<Flat[]> {
  let out = '';
  try {
    out = (await run('evtxexport', ['-f', 'xml', file], { maxBuffer: 1 << 30, encoding: 'utf8' })).stdout;
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? ''; // it exits non-zero on files it cannot finish
  }
  const start = out.indexOf('<');
  return start < 0 ? [] : parseXml(out.slice(start)).filter((e) => e.name === 'Event').map(flattenEvent);
}

test('evtxexport agreement covers the corpus', { skip: missing }, () => {
  assert.ok(files.length >= 70, `found ${files.length} files`);
});

for (const file of files) {
  test(`same content as evtxexport -f xml: ${path.relative(DATA, file)}`, { skip: missing }, async () => {
    const theirs = await exported(file);
    const { records } = await readEvtxAll(file, { workers: 0, xml: true, json: false });
    assert.ok(records.length >= theirs.length, `we read ${records.length} records, evtxexport ${theirs.length}`);
    // match by EventRecordID (the record header's number can differ from it in exported logs)
    const ours = new Map<string, Flat[]>();
    for (const r of records) {
      const flat = flattenEvent(parseXmlElement(r.xml!));
      const id = flat.get('Event/System/EventRecordID') ?? '';
      ours.set(id, [...(ours.get(id) ?? []), flat]);
    }
    const problems: string[] = [];
    for (const t of theirs) {
      const id = t.get('Event/System/EventRecordID') ?? '';
      const o = ours.get(id)?.shift();
      if (!o) { problems.push(`EventRecordID ${id}: not in our output`); continue; }
      for (const d of diffEvents(o, t)) problems.push(`EventRecordID ${id}: ${d}`);
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} differences`);
  });
}
