// Value types and helpers that consumers of the IR (engine, backends) need, re-exported so that
// they depend on the IR alone.
export * from '../sigma/values.js';
export { parseIp, cidrContains, formatIp, prefixMask, type IpAddress } from '../sigma/cidr.js';
export type { TimePart } from '../sigma/model.js';
export { expandPattern } from '../sigma/condition.js';
