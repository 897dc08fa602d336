// Byte streams for readers: a file or stdin, a look at the first bytes without losing them, gunzip.

import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type ByteChunks = AsyncIterable<Uint8Array>;

/** `-` is stdin. Errors (missing file, EACCES, EISDIR) surface on the first read. */
export function readBytes(path: string, highWaterMark = 64 * 1024): ByteChunks {
  if (path === '-') return process.stdin;
  return createReadStream(path, { highWaterMark });
}

export interface Peeked {
  /** At least `min` bytes, or the whole input if shorter. */
  head: Uint8Array;
  /** The whole input again, head included. Iterate once. */
  chunks: ByteChunks;
  /** Releases the input when it will not be read. */
  close(): Promise<void>;
}

export async function peek(input: ByteChunks, min: number): Promise<Peeked> {
  const it = input[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < min) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    parts.push(r.value);
    size += r.value.length;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      if (head.length > 0) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      if (!done) await it.return?.();
    }
  }
  return {
    head,
    chunks: all(),
    async close() {
      if (!done) await it.return?.();
    },
  };
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Decompresses gzip (several members in a row too). A truncated or corrupt stream throws. */
export async function* gunzip(input: ByteChunks): AsyncGenerator<Uint8Array> {
  const gz = createGunzip({ chunkSize: 64 * 1024 });
  pipeline(Readable.from(input, { objectMode: false }), gz, () => {
    // errors reach the consumer through the iteration of gz
  });
  yield* gz;
}
