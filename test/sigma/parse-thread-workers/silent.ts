// A second parsing thread that takes a chunk of files and never answers (parse-thread.test.ts).
import { workerData } from 'node:worker_threads';
import { NEXT, PARSE_CHUNK, type ParseWorkerData } from '../../../src/sigma/parse-thread.js';

const { counters } = workerData as ParseWorkerData;
Atomics.add(new Int32Array(counters), NEXT, PARSE_CHUNK);
setInterval(() => {}, 1000); // stays alive, silent, until the load ends it
