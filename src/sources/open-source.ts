// Opening inputs: format sniffing from content (never the file name), gzip, stdin, folders.
//
// Sniffing rules (sniffFormat), on the first 64 KiB after gunzip, in this order:
//   evtx       the `ElfFile\0` magic
//   json       first non-blank character `{` or `[` (also UTF-16, with a BOM or without); an empty input
//   zeek-json  json whose first line is one JSON object that is a Zeek http.log entry (zeek-json.ts)
//   zeek-tsv   first line `#separator ` (Zeek's ASCII writer always starts so)
//   w3c        first line a W3C directive: `#Software:`, `#Version:`, `#Fields:`, `#Date:`,
//              `#Remark:`, `#Start-Date:` (any case)
//   squid      the first (up to 5) non-blank lines all parse as Squid native or combined lines
//   csv        a header of 2+ non-empty, distinct names, and the next lines (up to 5 records) with
//              as many cells
// Anything else is unknown. A caller that knows better passes `format` and no sniffing is done.

import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip, isGzip, peek, readBytes, type ByteChunks } from './byte-input.js';
import { bomLength, encodingOf, readJsonEvents, type JsonReaderOptions } from './json-reader.js';
import { headLines, type LineReaderOptions } from './line-source.js';
import { readW3cEvents, w3cHeader } from './w3c-reader.js';
import { isSquidLine, readSquidEvents } from './squid-reader.js';
import { readZeekTsvEvents, zeekHeader } from './zeek-tsv-reader.js';
import { isZeekHttpRecord, readZeekJsonEvents } from './zeek-json.js';
import { readCsvEvents, splitCsv } from './csv-reader.js';
import type { EventSource, SourceFormat, SourceProblem } from './types.js';

export type Compression = 'gzip' | 'none';

export interface FormatInfo {
  format: SourceFormat;
  compression: Compression;
}

/** Opens a format this module has no reader for (EVTX lives in ./evtx and is passed in by the caller). */
export type ReaderFactory = (path: string, info: FormatInfo) => EventSource | Promise<EventSource>;

export interface OpenSourceOptions extends JsonReaderOptions, LineReaderOptions {
  /** Readers for formats this module cannot open itself, e.g. `{ evtx: openEvtx }`. */
  readers?: Partial<Record<SourceFormat, ReaderFactory>>;
  /** The input's format, as the caller knows it: no sniffing (gzip is still recognised). */
  format?: SourceFormat;
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
  const base = sniffBinaryOrJson(head);
  if (base === 'json') return isZeekJsonHead(head) ? 'zeek-json' : 'json';
  if (base !== 'text') return base;
  return sniffText(sniffLines(head));
}

/** evtx, json, undefined (UTF-16 that is not JSON), or 'text' for UTF-8 not starting like JSON. */
function sniffBinaryOrJson(head: Uint8Array): SourceFormat | 'text' | undefined {
  if (EVTX_MAGIC.every((b, i) => head[i] === b)) return 'evtx';
  const enc = encodingOf(head);
  const step = enc === 'utf-8' ? 1 : 2;
  for (let i = bomLength(head); i + step <= head.length; i += step) {
    const b = enc === 'utf-16be' ? head[i + 1] : head[i];
    const high = step === 2 ? (enc === 'utf-16be' ? head[i] : head[i + 1]) : 0;
    if (high !== 0) return undefined;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b === 0x7b || b === 0x5b) return 'json'; // '{' or '['
    return enc === 'utf-8' ? 'text' : undefined;
  }
  return 'json'; // empty or blank: zero records
}

function sniffLines(head: Uint8Array): string[] {
  const lines = headLines(head, 64);
  if (lines.length > 0) return lines;
  // No line break in the head: a one-line input (or one huge line), judged as it is.
  let text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return [text.replace(/\r$/, '')];
}

function isZeekJsonHead(head: Uint8Array): boolean {
  let text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 16384)).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.trimStart().split('\n', 1)[0]!;
  try {
    return isZeekHttpRecord(JSON.parse(first));
  } catch {
    return false;
  }
}

const W3C_DIRECTIVE = /^#(software|version|fields|date|remark|start-date|end-date):/i;

function sniffText(lines: string[]): SourceFormat | undefined {
  const nonBlank = lines.filter((l) => l.trim() !== '');
  const first = nonBlank[0];
  if (first === undefined) return undefined;
  if (first.startsWith('#separator ')) return 'zeek-tsv';
  if (W3C_DIRECTIVE.test(first)) return 'w3c';
  const sample = nonBlank.slice(0, 5);
  if (sample.every(isSquidLine)) return 'squid';
  return looksLikeCsv(lines) ? 'csv' : undefined;
}

function looksLikeCsv(lines: string[]): boolean {
  const records: string[][] = [];
  let pending: string | null = null;
  for (const l of lines) {
    const text: string = pending === null ? l : `${pending}\n${l}`;
    const cells = splitCsv(text);
    if (cells === null) {
      pending = text;
      continue;
    }
    pending = null;
    if (cells.length === 1 && cells[0] === '') continue;
    records.push(cells);
    if (records.length >= 6) break;
  }
  const header = records[0];
  if (!header || header.length < 2) return false;
  const names = header.map((c) => c.trim());
  if (names.some((n) => n === '' || n.length > 200 || /[\x00-\x1f]/.test(n)) || new Set(names).size !== names.length) return false;
  if (names.every((n) => /^-?[\d.]+$/.test(n))) return false; // a data row, not a header
  return records.slice(1).every((r) => r.length === header.length);
}

interface Opened extends FormatInfo {
  chunks: ByteChunks;
  encodingHead: Uint8Array;
  close(): Promise<void>;
}

async function openAndSniff(path: string, known?: SourceFormat): Promise<Opened> {
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
  const format = known ?? sniffFormat(peeked.head);
  if (format === undefined) {
    await peeked.close();
    throw new SourceError(
      'UNKNOWN_FORMAT',
      path,
      `unknown log format (${compression === 'gzip' ? 'gzip of ' : ''}content starting ${preview(peeked.head)}); known: JSON/NDJSON, EVTX, W3C extended (IIS, ELFF), Squid access.log (squid, combined), Zeek TSV and JSON, CSV with a header`,
    );
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
  const o = await openAndSniff(path, options.format);
  const builtin = openBuiltin(path, o, options);
  if (builtin) return builtin;
  await o.close();
  const factory = options.readers?.[o.format];
  if (factory === undefined) {
    throw new SourceError('UNSUPPORTED_FORMAT', path, `${o.format} input needs the ${o.format} reader`, o.format);
  }
  if (path === '-') throw new SourceError('UNSUPPORTED_FORMAT', path, `${o.format} cannot be read from stdin`, o.format);
  return factory(path, { format: o.format, compression: o.compression });
}

function openBuiltin(path: string, o: Opened, options: OpenSourceOptions): EventSource | undefined {
  switch (o.format) {
    case 'json':
      return readJsonEvents(path, o.chunks, options, encodingOf(o.encodingHead));
    case 'zeek-json':
      return readZeekJsonEvents(path, o.chunks, options, encodingOf(o.encodingHead));
    case 'w3c':
      return readW3cEvents(path, o.chunks, w3cHeader(headLines(o.encodingHead)), options);
    case 'zeek-tsv':
      return readZeekTsvEvents(path, o.chunks, zeekHeader(headLines(o.encodingHead)), options);
    case 'squid':
      return readSquidEvents(path, o.chunks, options);
    case 'csv':
      return readCsvEvents(path, o.chunks, options);
    default:
      return undefined;
  }
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
