// An EVTX read-ahead thread that dies (exit code 70, as a crash would end it) after posting a few
// batches of records: evtx-prefetch.test.ts checks that the reader goes on with the file itself.
import { workerData } from 'node:worker_threads';
import type { PrefetchMessage, PrefetchWorkerData } from '../../src/sources/evtx-prefetch.js';

const { port } = workerData as PrefetchWorkerData;
const post = port.postMessage.bind(port);
let batches = 0;
port.postMessage = (m: PrefetchMessage) => {
  if (m.t === 'items' && ++batches > 20) process.exit(70);
  post(m);
};
await import('../../src/sources/evtx-prefetch-worker.js');
