// A hunting worker that dies (exit code 70, as a crash would end it) when it is given a share of
// `security.evtx`: parallel-hunt.test.ts checks that the hunt reports it.
import { parentPort } from 'node:worker_threads';
import type { HuntWorkerOrder } from '../../src/hunt/hunt-worker.js';

parentPort!.on('message', (m: HuntWorkerOrder) => {
  if (m.share.file.endsWith('security.evtx')) process.exit(70);
});
await import('../../src/hunt/hunt-worker.js');
