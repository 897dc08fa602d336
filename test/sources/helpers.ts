import { fileURLToPath } from 'node:url';
import { readJsonEvents, type JsonReaderOptions } from '../../src/sources/json-reader.js';
import type { EventSource, SourceProblem, SourceRecord } from '../../src/sources/types.js';

/** ../shared/data from the repo root (this file runs as dist/test/sources/helpers.js). */
export const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

export async function readAll(source: EventSource): Promise<{ records: SourceRecord[]; problems: SourceProblem[] }> {
  const records: SourceRecord[] = [];
  for await (const r of source.records()) records.push(r);
  return { records, problems: source.problems };
}

/** Feeds text in chunks of `size` bytes, so records and multi-byte characters straddle chunk edges. */
export async function* chunked(data: string | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Reads text with several chunk sizes and checks they all agree; returns the first result. */
export async function readText(
  text: string | Uint8Array,
  options: JsonReaderOptions = {},
  sizes: number[] = [1, 3, 17, 4096, 1 << 20],
): Promise<{ records: SourceRecord[]; problems: SourceProblem[]; count: number }> {
  let first: { records: SourceRecord[]; problems: SourceProblem[]; count: number } | undefined;
  for (const size of sizes) {
    const src = readJsonEvents('mem', chunked(text, size), options);
    const r = await readAll(src);
    const result = { ...r, count: src.problemCount };
    if (first === undefined) first = result;
    else {
      const a = JSON.stringify(summary(first), bigintReplacer);
      const b = JSON.stringify(summary(result), bigintReplacer);
      if (a !== b) throw new Error(`chunk size ${size} reads differently:\n${a}\n${b}`);
    }
  }
  return first!;
}

function summary(r: { records: SourceRecord[]; problems: SourceProblem[] }) {
  return { records: r.records.map((x) => [x.location, x.event]), problems: r.problems };
}

export function bigintReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
