// Loads YAML into a small position-carrying tree. Every later check reports `file:line:col` from it,
// so no part of Quarry ever needs to look at the `yaml` package's own node types.
import type { Node as YamlNode, Document, Scalar } from 'yaml';
import { yamlPackage } from './yaml-package.js';
import type { Position, Span } from './diagnostics.js';
import { MAX_YAML_DEPTH } from './limits.js';
import { fastYamlDocument, LEADING_ZERO } from './yaml-fast.js';

export type ScalarValue = string | number | boolean | null;

interface Base {
  pos: Position;
  /** Exclusive end of the node's text (trailing blank lines and comments not included). */
  end: Position;
}
export interface YScalar extends Base {
  kind: 'scalar';
  value: ScalarValue;
  /** Source text of the scalar (without quotes for quoted ones). */
  source: string;
  quoted: boolean;
}
export interface YEntry {
  key: string;
  keyPos: Position;
  /** Exclusive end of the key's text. */
  keyEnd: Position;
  value: YNode;
}
export interface YMap extends Base {
  kind: 'map';
  entries: YEntry[];
}
export interface YSeq extends Base {
  kind: 'seq';
  items: YNode[];
}
export type YNode = YScalar | YMap | YSeq;

export interface YamlProblem {
  span: Span;
  message: string;
  code: 'yaml-syntax' | 'yaml-too-deep' | 'yaml-alias' | 'yaml-complex-key' | 'duplicate-key';
}

export interface LoadedDocument {
  root: YNode | null;
  /** Position of the document start (for errors about the whole document). */
  pos: Position;
  problems: YamlProblem[];
}

const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Every YAML document of a text as a position tree. The plain single-document YAML of nearly every
 * rule is read by the fast reader (yaml-fast.ts); anything else by the `yaml` package, which reports
 * every problem with its position.
 */
export function loadYamlDocuments(text: string): LoadedDocument[] {
  const fast = fastYamlDocument(text);
  return fast ? [fast] : loadYamlDocumentsFully(text);
}

/** Every YAML document of a text read by the `yaml` package: what the fast reader must equal where it reads. */
export function loadYamlDocumentsFully(text: string): LoadedDocument[] {
  const { LineCounter, parseAllDocuments } = yamlPackage();
  const lineCounter = new LineCounter();
  // uniqueKeys is checked by us (duplicateKeys below) so that a duplicate is one located diagnostic
  // rather than a parse failure that hides the rest of the document.
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, version: '1.2' });
  const at = (offset: number | undefined): Position => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, col: p.col };
  };
  const list = Array.isArray(docs) ? docs : [docs];
  const out: LoadedDocument[] = [];
  for (const doc of list as Document.Parsed[]) {
    const problems: YamlProblem[] = [];
    // The first syntax error is the real one; those after it are usually its echoes.
    const first = doc.errors[0];
    if (first) problems.push({ span: { start: at(first.pos[0]), end: at(first.pos[1]) }, message: cleanMessage(first.message), code: 'yaml-syntax' });
    const root = doc.contents ? convert(doc.contents as YamlNode, { text, at, problems }, 0) : null;
    const startOffset = doc.range?.[0] ?? 0;
    // A trailing `---` produces an empty document; it is not a rule and not an error.
    if (root === null && problems.length === 0 && out.length > 0) continue;
    out.push({ root, pos: at(startOffset), problems });
  }
  return out;
}

function cleanMessage(m: string): string {
  return m.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
}


interface Converter {
  text: string;
  at: (offset: number | undefined) => Position;
  problems: YamlProblem[];
}

/**
 * Start and exclusive end of a node's own text. The `yaml` package's value end of a block scalar or
 * collection runs on over the line break (and comments) after it; an editor underlines text, not the
 * blank after it, so trailing white space is trimmed here and block collections end with their last item.
 */
function nodeSpan(node: YamlNode, c: Converter): Span {
  const [start = 0, valueEnd = start] = node.range ?? [];
  let end = valueEnd;
  while (end > start && /\s/.test(c.text[end - 1]!)) end--;
  return { start: c.at(start), end: c.at(end) };
}

const nullScalar = (span: Span): YScalar => ({ kind: 'scalar', value: null, source: '', quoted: false, pos: span.start, end: span.end });

function convert(node: YamlNode | null, c: Converter, depth: number): YNode {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlPackage();
  if (node === null || node === undefined) return nullScalar({ start: { line: 1, col: 1 }, end: { line: 1, col: 1 } });
  const span = nodeSpan(node, c);
  const pos = span.start;
  if (depth > MAX_YAML_DEPTH) {
    c.problems.push({ span, message: `nesting deeper than ${MAX_YAML_DEPTH} levels`, code: 'yaml-too-deep' });
    return nullScalar(span);
  }
  if (isAlias(node)) {
    c.problems.push({ span, message: 'YAML aliases are not supported in Sigma rules', code: 'yaml-alias' });
    return nullScalar(span);
  }
  if (isMap(node)) {
    const entries: YEntry[] = [];
    const seen = new Map<string, Position>();
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as YamlNode | null;
      const keySpan = keyNode ? nodeSpan(keyNode, c) : { start: pos, end: pos };
      const keyPos = keySpan.start;
      const key = isScalar(keyNode) ? String(keyNode.value ?? '') : '';
      if (!isScalar(keyNode)) c.problems.push({ span: keySpan, message: 'map keys must be plain scalars', code: 'yaml-complex-key' });
      const prev = seen.get(key);
      if (prev) c.problems.push({ span: keySpan, message: `duplicate key '${key}' (first defined at line ${prev.line})`, code: 'duplicate-key' });
      else seen.set(key, keyPos);
      const value = item.value === null || item.value === undefined ? nullScalar(keySpan) : convert(item.value as YamlNode, c, depth + 1);
      entries.push({ key, keyPos, keyEnd: keySpan.end, value });
    }
    return { kind: 'map', entries, pos, end: collectionEnd(node.flow, span, entries.at(-1)?.value) };
  }
  if (isSeq(node)) {
    const items = node.items.map((n) => convert(n as YamlNode, c, depth + 1));
    return { kind: 'seq', items, pos, end: collectionEnd(node.flow, span, items.at(-1)) };
  }
  if (isScalar(node)) return scalar(node, span);
  return nullScalar(span);
}

/** A block collection ends where its last item ends (its own range would take in a trailing comment). */
function collectionEnd(flow: boolean | undefined, span: Span, last: YNode | undefined): Position {
  return flow || !last ? span.end : last.end;
}

function scalar(node: Scalar, span: Span): YScalar {
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' || node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  const source = (node as Scalar & { source?: string }).source ?? String(node.value ?? '');
  let value = node.value as unknown;
  if (typeof value === 'number') {
    // Hex, octal and .inf are numbers to YAML but identifiers to a detection engineer ('0x17' in a
    // Kerberos rule): keep their text. So are digits with leading zeros (keyboard layout 00000429,
    // which `contains` must look for with its zeros; pySigma's YAML keeps such text, too). Unsafe
    // integers keep their digits, to stay exact.
    if (!DECIMAL.test(source) || LEADING_ZERO.test(source) || (Number.isInteger(value) && !Number.isSafeInteger(value))) value = source;
  } else if (typeof value === 'bigint') {
    value = source;
  } else if (value !== null && typeof value !== 'string' && typeof value !== 'boolean') {
    value = String(value);
  }
  return { kind: 'scalar', value: value as ScalarValue, source, quoted, pos: span.start, end: span.end };
}

// Small accessors used everywhere a rule is read.
export function get(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** The text of a node, from its first character to its last. */
export function spanOf(node: YNode): Span {
  return { start: node.pos, end: node.end };
}

/** The text of an entry's key. */
export function keySpan(entry: YEntry): Span {
  return { start: entry.keyPos, end: entry.keyEnd };
}

export function toPlain(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const e of node.entries) setPlain(o, e.key, toPlain(e.value));
      return o;
    }
  }
}

/**
 * Sets a key of an object made from YAML as an own property: a key `__proto__` assigned plainly
 * would replace the object's prototype (or, with a scalar, vanish) instead of being kept.
 */
export function setPlain(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
