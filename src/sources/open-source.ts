// Opening inputs: format sniffing from content (never the file name), gzip, stdin, folders.
// New formats (W3C, Squid, Zeek TSV, CSV) plug in at sniffFormat and READERS below.

import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip, isGzip, peek, readBytes, type ByteChunks } from './byte-input.js';
import { encodingOf, readJsonEvents, type JsonReaderOptions } from './json-reader.js';
import type { EventSource, SourceFormat, SourceProblem } from './types.js';

export type Compression = 'gzip' | 'none';

export interface FormatInfo {
  format: SourceFormat;
  compression: Compression;
}

/** Opens a format this module has no reader for (EVTX lives in ./evtx and is passed in by the caller). */
export type ReaderFactory = (path: string, info: FormatInfo) => EventSource | Promise<EventSource>;

export interface OpenSourceOptions extends JsonReaderOptions {
  /** Readers for formats beyond JSON, e.g. `{ evtx: openEvtx }`. */
  readers?: Partial<Record<SourceFormat, ReaderFactory>>;
}

export type SourceErrorCode = 'UNREADABLE' | 'UNKNOWN_FORMAT' | 'UNSUPPORTED_FORMAT';

export class SourceError extends Error {
  constructor(
    readonly code: SourceErrorCode,
    readonly path: string,
    message: string,
    readonly format?: SourceFormat,
  ) {
    super(`${path}: ${message}`);
    this.name = 'SourceError';
  }
}

const SNIFF_BYTES = 64 * 1024;
const EVTX_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"

/** Decides the format from the first bytes of (decompressed) content; undefined when unknown. */
export function sniffFormat(head: Uint8Array): SourceFormat | undefined {
  if (EVTX_MAGIC.every((b, i) => head[i] === b)) return 'evtx';
  let i = 0;
  const enc = encodingOf(head);
  const step = enc === 'utf-8' ? 1 : 2;
  if (enc !== 'utf-8') i = 2;
  else if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  for (; i + step <= head.length; i += step) {
    const b = enc === 'utf-16be' ? head[i + 1] : head[i];
    const high = step === 2 ? (enc === 'utf-16be' ? head[i] : head[i + 1]) : 0;
    if (high !== 0) return undefined;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b ? 'json' : undefined; // '{' or '['
  }
  return 'json'; // empty or blank: zero records
}

interface Opened extends FormatInfo {
  chunks: ByteChunks;
  encodingHead: Uint8Array;
  close(): Promise<void>;
}

async function openAndSniff(path: string): Promise<Opened> {
  let peeked;
  try {
    peeked = await peek(readBytes(path), SNIFF_BYTES);
  } catch (e) {
    throw new SourceError('UNREADABLE', path, (e as Error).message);
  }
  let compression: Compression = 'none';
  if (isGzip(peeked.head)) {
    compression = 'gzip';
    const outer = peeked;
    try {
      peeked = await peek(gunzip(outer.chunks), SNIFF_BYTES);
    } catch (e) {
      await outer.close();
      throw new SourceError('UNREADABLE', path, `gzip: ${(e as Error).message}`);
    }
  }
  const format = sniffFormat(peeked.head);
  if (format === undefined) {
    await peeked.close();
    throw new SourceError('UNKNOWN_FORMAT', path, `unknown log format (${compression === 'gzip' ? 'gzip of ' : ''}content starting ${preview(peeked.head)}); known: JSON/NDJSON, EVTX`);
  }
  return { format, compression, chunks: peeked.chunks, encodingHead: peeked.head, close: peeked.close };
}

/** Sniffs a file (or `-`, consuming it) without reading it further. */
export async function detectFormat(path: string): Promise<FormatInfo> {
  const o = await openAndSniff(path);
  await o.close();
  return { format: o.format, compression: o.compression };
}

/**
 * Opens a file, or stdin for `-`, as an EventSource of the format its content shows.
 * Throws SourceError: UNREADABLE (missing, permissions, a directory), UNKNOWN_FORMAT, or
 * UNSUPPORTED_FORMAT (recognised, e.g. evtx, but no reader passed in `readers`; `.format` says which).
 */
export async function openSource(path: string, options: OpenSourceOptions = {}): Promise<EventSource> {
  const o = await openAndSniff(path);
  if (o.format === 'json') return readJsonEvents(path, o.chunks, options, encodingOf(o.encodingHead));
  await o.close();
  const factory = options.readers?.[o.format];
  if (factory === undefined) {
    throw new SourceError('UNSUPPORTED_FORMAT', path, `${o.format} input needs the ${o.format} reader`, o.format);
  }
  if (path === '-') throw new SourceError('UNSUPPORTED_FORMAT', path, `${o.format} cannot be read from stdin`, o.format);
  return factory(path, { format: o.format, compression: o.compression });
}

export interface ExpandedInputs {
  /** Files in a stable order: arguments in the order given, each folder's entries sorted. */
  files: string[];
  /** Paths that could not be used (missing, unreadable, a folder without `recursive`...). */
  problems: SourceProblem[];
}

/**
 * Turns the paths given on a command line into files: files as they are, `-` as stdin, folders as
 * the files in them (and below, with `recursive`; symlinked folders are not followed when
 * recursing, so a link loop cannot trap the walk). Nothing is filtered by name: callers sniff each
 * file and report what they cannot read.
 */
export async function expandInputs(paths: string[], options: { recursive?: boolean } = {}): Promise<ExpandedInputs> {
  const files: string[] = [];
  const problems: SourceProblem[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    if (!seen.has(p)) {
      seen.add(p);
      files.push(p);
    }
  };

  async function walk(dir: string, top: boolean): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (e) {
      problems.push({ location: { file: dir }, message: `cannot list folder: ${(e as Error).message}` });
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let st;
      try {
        st = await lstat(p);
        if (st.isSymbolicLink()) {
          const target = await stat(p);
          if (target.isDirectory()) {
            problems.push({ location: { file: p }, message: 'symbolic link to a folder: not followed' });
            continue;
          }
          st = target;
        }
      } catch (e) {
        problems.push({ location: { file: p }, message: (e as Error).message });
        continue;
      }
      if (st.isDirectory()) {
        if (options.recursive) await walk(p, false);
        else if (top) problems.push({ location: { file: p }, message: 'folder inside a folder: skipped (use recursive)' });
      } else if (st.isFile()) add(p);
    }
  }

  for (const p of paths) {
    if (p === '-') {
      add(p);
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      problems.push({ location: { file: p }, message: (e as Error).message });
      continue;
    }
    if (st.isDirectory()) await walk(p, true);
    else add(p);
  }
  return { files, problems };
}

function preview(head: Uint8Array): string {
  const text = Buffer.from(head.subarray(0, 24)).toString('latin1');
  return JSON.stringify(text.replace(/[^\x20-\x7e]/g, '.'));
}
