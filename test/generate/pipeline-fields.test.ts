// The format pipelines and the readers agree on names: every field a built-in format pipeline maps
// to is one the format's reader produces on generated logs, except the few listed here with the
// reason (columns the generated logs do not carry, though real logs may).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BUILTIN_PIPELINE_YAML } from '../../src/pipeline/builtin/builtin-data.js';
import { generateProxyLogs, type GenerateFormat } from '../../src/generate/index.js';
import { openSource } from '../../src/sources/open-source.js';
import { readAll } from '../sources/helpers.js';

const CASES: Array<{ pipeline: string; formats: GenerateFormat[]; notGenerated: Record<string, string> }> = [
  {
    pipeline: 'w3c',
    formats: ['w3c-elff', 'w3c-iis'],
    notGenerated: {
      'cs(Cookie)': 'cookies are off by default in IIS and Blue Coat logging',
      'r-ip': 'ELFF r-ip (the server address) is not in the generated ELFF field list',
      'cs(Content-Type)': 'request content type: not in the generated field lists',
    },
  },
  { pipeline: 'squid', formats: ['squid', 'squid-native'], notGenerated: {} },
  { pipeline: 'zeek-http', formats: ['zeek-tsv', 'zeek-json'], notGenerated: { id_orig_h: "a shipper's spelling of id.orig_h", id_resp_h: "a shipper's spelling of id.resp_h", id_resp_p: "a shipper's spelling of id.resp_p", username: 'no HTTP basic auth in the generated traffic' } },
];

test('every field a format pipeline maps to is produced by that format reader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-pipefields-'));
  try {
    for (const c of CASES) {
      const doc = parse(BUILTIN_PIPELINE_YAML[c.pipeline]!) as { transformations: Array<{ type: string; mapping?: Record<string, string | string[]> }> };
      const targets = new Set<string>();
      for (const t of doc.transformations) if (t.type === 'field_name_mapping') for (const v of Object.values(t.mapping!)) for (const n of [v].flat()) targets.add(n);
      const produced = new Set<string>();
      for (const format of c.formats) {
        const file = join(dir, `${format}.log`);
        writeFileSync(file, generateProxyLogs({ seed: 4, lines: 3000, format }).text);
        const source = await openSource(file);
        assert.equal(source.pipeline, c.pipeline);
        for (const r of (await readAll(source)).records) for (const k of Object.keys(r.event)) produced.add(k);
      }
      const missing = [...targets].filter((t) => !produced.has(t) && !Object.hasOwn(c.notGenerated, t));
      assert.deepEqual(missing, [], `${c.pipeline}: mapped to, never produced`);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});
