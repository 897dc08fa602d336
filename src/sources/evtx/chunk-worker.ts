// Worker thread entry: parses chunks posted by ChunkWorkerPool.
import { parentPort } from 'node:worker_threads';
import { parseChunk, type ChunkJob } from './chunk.js';

parentPort?.on('message', (msg: { ab: ArrayBuffer; job: ChunkJob }) => {
  let result;
  try {
    result = parseChunk(Buffer.from(msg.ab), msg.job);
  } catch (e) {
    // parseChunk catches record errors itself; this guards against a bug taking the worker down
    result = {
      chunk: msg.job.chunk, offset: msg.job.offset, present: true, records: [], warnings: [],
      errors: [{ kind: 'error', scope: 'chunk', file: msg.job.file, chunk: msg.job.chunk, offset: msg.job.offset, message: String(e) }],
    };
  }
  // structured clone measured faster than JSON.stringify + JSON.parse for these results
  parentPort!.postMessage(result);
});
