// The second parsing thread of a load (parse-thread.ts): takes files from the shared counter,
// reads and parses each as this thread's loader would (load.ts), and sends the parses back.
import { Stats } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { withoutYamlTrees } from './collection.js';
import { parseRuleText, readRuleText, statRuleFile } from './load.js';
import { NEXT, PARSE_CHUNK, POSTED, type ParseThreadMessage, type ParseWorkerData, type ThreadParse } from './parse-thread.js';
import { RuleCache } from './rule-cache.js';

const { files, counters, port } = workerData as ParseWorkerData;
const shared = new Int32Array(counters);

function parseOne(k: number): ThreadParse {
  const file = files[k]!;
  const st = statRuleFile(file);
  if (!(st instanceof Stats)) return { k, parsed: st };
  const read = readRuleText(file, st);
  if (!('text' in read)) return { k, parsed: read };
  const status = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, dev: st.dev };
  return { k, parsed: withoutYamlTrees(parseRuleText(file, read)), hash: RuleCache.hash(read.bytes), status };
}

const post = (m: ParseThreadMessage) => {
  port.postMessage(m);
  Atomics.add(shared, POSTED, 1);
  Atomics.notify(shared, POSTED);
};

try {
  for (;;) {
    const start = Atomics.add(shared, NEXT, PARSE_CHUNK);
    if (start >= files.length) break;
    const items: ThreadParse[] = [];
    for (let k = start; k < Math.min(start + PARSE_CHUNK, files.length); k++) items.push(parseOne(k));
    post({ type: 'parsed', items });
  }
} catch (e) {
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
}
port.close();
