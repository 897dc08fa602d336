// A second parsing thread that takes a chunk of files and then reports a failure (parse-thread.test.ts).
import { workerData } from 'node:worker_threads';
import { NEXT, PARSE_CHUNK, POSTED, type ParseThreadMessage, type ParseWorkerData } from '../../../src/sigma/parse-thread.js';

const { counters, port } = workerData as ParseWorkerData;
const shared = new Int32Array(counters);
Atomics.add(shared, NEXT, PARSE_CHUNK);
port.postMessage({ type: 'failed', message: 'on purpose' } satisfies ParseThreadMessage);
Atomics.add(shared, POSTED, 1);
Atomics.notify(shared, POSTED);
port.close();
