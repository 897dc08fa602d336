export { readEvtx, readEvtxAll, type EvtxReader } from './reader.js';
export { expandEvtxInputs } from './inputs.js';
export { parseChunk } from './chunk.js';
export { parseFileHeader, type EvtxFileHeader } from './file-header.js';
export { evtxCommand } from './cli.js';
export type { EvtxRecord, EvtxError, EvtxWarning, EvtxStats, EvtxOptions, ChunkResult } from './types.js';
export { closeSharedPools } from './worker-pool.js';
