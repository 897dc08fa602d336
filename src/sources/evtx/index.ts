// Native EVTX reader, written from libyal's "Windows XML Event Log (EVTX)" format document.
//
//   for await (const item of readEvtx(path, { workers: 0, xml: false })) {
//     if (item.kind === 'record') use(item.recordId, item.timestamp, item.event);
//     else report(item);                         // EvtxError: file offset + reason; reading went on
//   }
//   reader.stats                                  // header, chunks, records ok/failed, errors, warnings
//
// Modules: file-header, chunk (record walk), binxml (tokens -> nodes), values (substitution types),
// render-json (evtx_dump -o json shape), render-flat (the flat event of a hunt, `flat: true`) and
// nested-event (its hidden nested `Event`, built on access), render-xml, reader (streaming, file
// order), worker-pool + chunk-worker (worker_threads), inputs (files/folders). The `quarry evtx
// dump|info` command is src/cli/evtx-command.ts.
export { readEvtx, readEvtxAll, type EvtxReader } from './reader.js';
export { expandEvtxInputs } from './inputs.js';
export { parseChunk, type ChunkJob } from './chunk.js';
export { parseFileHeader, type EvtxFileHeader } from './file-header.js';
export { closeSharedPools } from './worker-pool.js';
export type { EvtxRecord, EvtxError, EvtxWarning, EvtxStats, EvtxOptions, ChunkResult } from './types.js';
