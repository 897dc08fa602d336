// A hunting worker that dies (exit code 70, as a crash would end it) right after finishing the share
// before one of `security.evtx`: parallel-hunt.test.ts checks that the hunt reports it.
import { parentPort } from 'node:worker_threads';
import type { HuntWorkerMessage, HuntWorkerOrder } from '../../src/hunt/hunt-worker.js';

const port = parentPort!;
const doomed = new Set<number>();
port.on('message', (m: HuntWorkerOrder) => {
  if (m.share.file.endsWith('security.evtx')) doomed.add(m.share.id);
});
const post = port.postMessage.bind(port);
port.postMessage = (m: HuntWorkerMessage) => {
  post(m);
  if (m.type === 'done' && doomed.has(m.share + 1)) process.exit(70);
};
await import('../../src/hunt/hunt-worker.js');
