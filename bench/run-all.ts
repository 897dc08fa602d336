// Runs every benchmark in sequence, each in its own process so peak memory is its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
for (const name of ['load-compile.js', 'hunt-json.js', 'json-read.js', 'proxy-read.js', 'stack.js', 'convert.js', 'evtx.js', 'correlate.js', 'time-sort.js']) {
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [join(here, name)], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`(${name} exited with ${r.status})`);
}
