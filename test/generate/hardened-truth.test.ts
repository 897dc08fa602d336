// The host-aware proxy rule on generated logs, in every proxy format: it must find exactly the BITS
// downloads whose normalised host the allow-lists do not cover, whatever the format writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProxyLogs } from '../../src/generate/index.js';
import { deriveHostFields } from '../../src/enrich/derive.js';
import { REPO } from '../helpers.js';
import { huntFiles } from '../hunt/run-helpers.js';

// The allow-lists of rules/hardened/filters/mf_proxy_bits_allowlists.yml, as a predicate.
function allowListed(host: string): boolean {
  const d = deriveHostFields(host);
  if (!d) return false;
  if (d.suffix_type === 'icann' && ['com', 'net', 'org', 'edu', 'gov', 'microsoft'].includes(String(d.tld))) return true;
  if (['.windowsupdate.com', '.azureedge.net', '.sfx.ms', 'download.mozilla.org', '.scdn.co', '.corp.example'].some((s) => String(d.host).endsWith(s))) return true;
  return d.suffix_type === 'unlisted';
}

for (const format of ['w3c', 'w3c-iis', 'squid', 'zeek-tsv', 'zeek-json'] as const) {
  test(`host-aware BITS rule on generated ${format} logs finds exactly the uncovered BITS downloads`, async () => {
    const g = generateProxyLogs({ seed: 'hardened', lines: 3000, format });
    const file = join(mkdtempSync(join(tmpdir(), 'quarry-gen-')), `proxy.${format}`);
    writeFileSync(file, g.text);
    const { detections } = await huntFiles([join(REPO, 'rules/hardened')], [file]);
    const expected = g.truth.bits.filter((b) => (b.userAgent ?? '').startsWith('Microsoft BITS/') && !allowListed(b.normalizedHost)).map((b) => b.line);
    assert.ok(expected.length > 20, `${expected.length} expected detections`);
    assert.deepEqual(detections.map((d) => d.source.line), expected);
  });
}
