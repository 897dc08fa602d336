// Loading Sigma files and folders into a collection (collection.ts): one bad document never stops
// the others, and one bad path never stops the rest of a tree. A missing path, a symbolic link to
// nothing, a link loop, an unreadable folder, a device or an oversized file is a rejected document
// of its own, with the reason (limits.ts has the size limit).
// Synchronous reads: thousands of small files load several times faster than with one await each.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, realpathSync, statSync, Stats, type Dirent } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join, sep } from 'node:path';
import { diagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { addParsedFile, checkCollection, emptyCollection, parseSigmaText, withoutTrees, type ParsedFile, type SigmaCollection } from './collection.js';
import { MAX_RULE_FILE_BYTES } from './limits.js';
import { thousands } from './thousands.js';
import { RuleCache } from './rule-cache.js';

export { addParsedFile, checkCollection, emptyCollection, parseSigmaText, pipelineFilesNote, type ParsedFile, type RejectedDocument, type SigmaCollection } from './collection.js';

const YAML_FILE = /\.ya?ml$/i;
/** Quarry's rule test files (`NAME.test.yml`, read by `quarry test`): YAML beside the rules, never rules. */
export const TEST_FILE = /\.test\.ya?ml$/i;

export interface RuleListing {
  /** Rule files found, in a reproducible order (each folder sorted). */
  files: string[];
  /** Paths that could not be listed, each as a file with one rejected document saying why. */
  problems: ParsedFile[];
  /** Rule test files (`*.test.yml`) met in the folders or named: kept out of `files`. */
  tests: string[];
}

/** A path that could not be used, as a file with one rejected document. */
function pathProblem(file: string, code: DiagnosticCode, message: string): ParsedFile {
  return { file, documents: [{ document: null, docIndex: 0, diagnostics: [diagnostic(file, code, message)] }] };
}

/** Why a path cannot be stat'ed, in words: a link to nothing says where it points. */
function statProblem(p: string, e: NodeJS.ErrnoException): ParsedFile {
  if (e.code === 'ELOOP') return pathProblem(p, 'link-loop', 'a symbolic link that leads back to itself');
  if (e.code === 'ENOENT') {
    try {
      if (lstatSync(p).isSymbolicLink()) return pathProblem(p, 'unreadable', `a symbolic link to '${readlinkSync(p)}', which does not exist`);
    } catch {
      // Not there at all: the plain message below says so.
    }
    return pathProblem(p, 'unreadable', 'no such file or folder');
  }
  return pathProblem(p, 'unreadable', e.message);
}

/**
 * Lists rule files under the given paths (folders recursively, sorted for reproducible order). A
 * link back to a folder being read is reported once and not followed, so a loop cannot recurse.
 */
export function listRuleFiles(paths: string[]): RuleListing {
  const files: string[] = [];
  const problems: ParsedFile[] = [];
  const tests: string[] = [];
  const open = new Set<string>(); // real paths of the folders being read, outermost first
  /**
   * `isDir`: known from the folder listing (a plain file or folder); undefined to stat the path
   * (given, a link, other). `knownReal`: the folder's real path when its parent's is known and it is
   * a plain folder, not a link (then it is the parent's real path and its name: no system call).
   */
  const walk = (p: string, explicit: boolean, isDir?: boolean, knownReal?: string): void => {
    if (isDir === undefined) {
      try {
        isDir = statSync(p).isDirectory();
      } catch (e) {
        problems.push(statProblem(p, e as NodeJS.ErrnoException));
        return;
      }
    }
    if (!isDir) {
      // Devices and pipes named *.yml are listed: reading them is refused with the reason (readRuleFile).
      if (TEST_FILE.test(p)) tests.push(p);
      else if (explicit || YAML_FILE.test(p)) files.push(p);
      return;
    }
    let real: string;
    let entries: Dirent[];
    try {
      // The system call, not Node's JavaScript walk of every component (an lstat each): a corpus has hundreds of folders.
      real = knownReal ?? realpathSync.native(p);
      // With their types: a corpus of thousands of files is listed without a stat for each.
      entries = readdirSync(p, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      problems.push(pathProblem(p, 'unreadable', `the folder cannot be read: ${(e as Error).message}`));
      return;
    }
    if (open.has(real)) {
      problems.push(pathProblem(p, 'link-loop', `leads back to '${real}', a folder already being read`));
      return;
    }
    open.add(real);
    // Children's paths as `join` makes them, by concatenation: the folder's path is normalized once
    // (a given one may be written `./rules/`), and an entry's name has no separator or dot segment.
    const inDir = folderPrefix(explicit ? join(p) : p);
    const inReal = folderPrefix(real);
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      if (e.isFile()) walk(inDir + e.name, false, false);
      else if (e.isDirectory()) walk(inDir + e.name, false, true, inReal + e.name);
      else walk(inDir + e.name, false);
    }
    open.delete(real);
  };
  for (const p of paths) walk(p, true);
  return { files, problems, tests };
}

/** What goes before an entry's name to make its path in a normalized folder path, as `join` would. */
function folderPrefix(dir: string): string {
  if (dir === '.' || dir === `.${sep}`) return ''; // join('./', name) is name
  return dir.endsWith(sep) ? dir : dir + sep;
}

/**
 * A rule file's status, or why it cannot be read (a rejected document of its own): only regular
 * files within the size limit are read.
 */
function statRuleFile(file: string): Stats | ParsedFile {
  try {
    return usableRuleFile(file, statSync(file));
  } catch (e) {
    return statProblem(file, e as NodeJS.ErrnoException);
  }
}

function usableRuleFile(file: string, st: Stats): Stats | ParsedFile {
  // /dev/zero would be read forever, a FIFO would block: only regular files are rule files.
  if (!st.isFile()) return pathProblem(file, 'not-a-file', 'not a regular file (a device, a pipe or a socket): not read');
  if (st.size > MAX_RULE_FILE_BYTES) return pathProblem(file, 'file-too-large', `${thousands(st.size)} bytes; a rule file may have at most ${thousands(MAX_RULE_FILE_BYTES)}`);
  return st;
}

// Opened without blocking, so that a FIFO among the rules is found by its status instead of
// waiting for a writer (the flag changes nothing for a regular file).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * A rule file's bytes and text (without a byte order mark) and the status of what was read, or why it
 * cannot be read. Opened, checked and read through one descriptor: a cold load of a corpus makes
 * thousands of these, and a separate `stat` by name cost a tenth of reading them.
 */
export function readRuleText(file: string): { text: string; bytes: Buffer; st: Stats } | ParsedFile {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (e) {
    return statProblem(file, e as NodeJS.ErrnoException);
  }
  try {
    const st = usableRuleFile(file, fstatSync(fd));
    if (!(st instanceof Stats)) return st;
    const bytes = readToEnd(fd, st.size);
    if (bytes.length > MAX_RULE_FILE_BYTES) return pathProblem(file, 'file-too-large', `more than ${thousands(MAX_RULE_FILE_BYTES)} bytes (it grew while being read); a rule file may have at most ${thousands(MAX_RULE_FILE_BYTES)}`);
    return { text: bytes.toString('utf8').replace(/^\uFEFF/, ''), bytes, st };
  } catch (e) {
    return statProblem(file, e as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
}

/**
 * Every byte of an open regular file, `size` its status's size: read until the end, since a file may
 * grow after its status was taken (or report 0, as some file systems do) and must not be cut short.
 * A read of a regular file that returns less than asked has reached the end: no second read to be
 * told so (a cold load of a corpus makes thousands). Stops just past the size limit, which the
 * caller reports.
 */
function readToEnd(fd: number, size: number): Buffer {
  let buf = Buffer.allocUnsafe(size + 1); // one byte more: a read that fills it means the file grew
  let length = 0;
  for (;;) {
    const asked = buf.length - length;
    const n = readSync(fd, buf, length, asked, null);
    if (n === 0) return buf.subarray(0, length);
    length += n;
    if (n < asked) return buf.subarray(0, length);
    if (length > MAX_RULE_FILE_BYTES) return buf.subarray(0, length);
    if (length === buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2 + 4096, MAX_RULE_FILE_BYTES + 1));
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
  }
}

/**
 * Warnings about a file as a whole: bytes that are not UTF-8 and a file with no document
 * (`not-utf8`, `empty-file`), either of which silently changes what is loaded.
 */
export function fileWarnings(file: string, bytes: Buffer, text: string, parsed: ParsedFile): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  if (!isUtf8(bytes)) {
    const at = positionOf(text, text.indexOf('\uFFFD'));
    warnings.push(diagnostic(file, 'not-utf8', `bytes that are not UTF-8 from line ${at.line}, column ${at.col} on (read as U+FFFD); save the file as UTF-8`, at));
  }
  if (parsed.documents.length === 0 && !parsed.pipeline) warnings.push(diagnostic(file, 'empty-file', text.trim() === '' ? 'the file is empty' : 'the file holds only comments: no YAML document'));
  return warnings;
}

/**
 * One rule file read and parsed, without its YAML trees (the linter, which reads them, parses texts
 * itself); never throws (a file that cannot be read is one rejected document). With a cache, an
 * unchanged file gives the stored parse, unread when its status is the one it was hashed with, and a
 * fresh parse is stored.
 */
export function readRuleFile(file: string, cache?: RuleCache | null): ParsedFile {
  if (cache) {
    // The status alone tells an unchanged file: it is not read at all.
    const known = statRuleFile(file);
    if (!(known instanceof Stats)) return known;
    const unread = cache.unchanged(file, known);
    if (unread) return unread;
  }
  const read = readRuleText(file);
  if (!('text' in read)) return read;
  const { text, bytes, st } = read;
  const hash = cache ? RuleCache.hash(bytes) : '';
  const hit = cache?.get(file, hash, st);
  if (hit) return hit;
  const parsed = withoutTrees(parseSigmaText(text, file));
  const warnings = fileWarnings(file, bytes, text, parsed);
  const result = warnings.length ? { ...parsed, fileDiagnostics: warnings } : parsed;
  cache?.put(file, hash, st, result);
  return result;
}

function positionOf(text: string, index: number): { line: number; col: number } {
  if (index < 0) return { line: 1, col: 1 };
  const before = text.slice(0, index);
  return { line: before.split('\n').length, col: index - before.lastIndexOf('\n') };
}

/** Called after each rule file is read (a terminal progress line: a full corpus takes seconds). */
export type LoadProgress = (filesRead: number, filesListed: number) => void;

export interface LoadOptions {
  /** Parses kept between runs (rule-cache.ts; `openRuleCache`); none by default. */
  cache?: RuleCache | null;
  /** Called after each rule file is read. */
  onFile?: LoadProgress;
}

/** Every rule file under the paths, parsed, and every path that could not be used, in listing order. */
export function parseSigmaPaths(paths: string[], options: LoadOptions = {}): ParsedFile[] {
  return parseRuleListing(listRuleFiles(paths), options);
}

/** The files of a listing parsed, after the paths that could not be used (for a caller that also reads the listing). */
export function parseRuleListing(listing: RuleListing, options: LoadOptions = {}): ParsedFile[] {
  const total = listing.files.length;
  const files = listing.files.map((f, i) => {
    const parsed = readRuleFile(f, options.cache);
    options.onFile?.(i + 1, total);
    return parsed;
  });
  options.cache?.save();
  return [...listing.problems, ...files];
}

export function loadSigmaPaths(paths: string[], options: LoadOptions = {}): SigmaCollection {
  const col = emptyCollection();
  for (const parsed of parseSigmaPaths(paths, options)) addParsedFile(col, parsed);
  checkCollection(col);
  return col;
}
