// Text edits for safe fixes: computed from the ranges the YAML parser gives every node, applied to
// the text as it is. Everything outside an edited range (indentation, quoting of other values,
// comments, blank lines) stays byte for byte, which a re-dump of the document could not promise.
import { parse } from 'yaml';
import type { Position } from '../sigma/diagnostics.js';
import type { YNode, YScalar, YSeq } from '../sigma/yaml-tree.js';
import type { TextEdit } from './types.js';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function offsetOf(starts: number[], p: Position): number {
  return (starts[p.line - 1] ?? starts[starts.length - 1]!) + p.col - 1;
}

/**
 * Applies edits to a text. Edits that overlap an earlier one (by start) are left out and counted, so
 * two fixes that touch the same value never garble it; a second `--fix` run applies what is left.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): { text: string; applied: number; skipped: number } {
  const starts = lineStarts(text);
  const ranges = edits.map((e) => ({ from: offsetOf(starts, e.range.start), to: offsetOf(starts, e.range.end), newText: e.newText })).sort((a, b) => a.from - b.from || a.to - b.to);
  let out = '';
  let at = 0;
  let applied = 0;
  let skipped = 0;
  for (const r of ranges) {
    if (r.from < at) {
      skipped++;
      continue;
    }
    out += text.slice(at, r.from) + r.newText;
    at = r.to;
    applied++;
  }
  return { text: out + text.slice(at), applied, skipped };
}

/** The source text of a node (quotes included). */
export function nodeText(text: string, node: YNode): string {
  return nodeTextAt(text, { start: node.pos, end: node.end });
}

/** A plain scalar is kept plain when YAML reads the new text back as the same string. */
function plainIsSafe(value: string): boolean {
  if (value === '' || value !== value.trim() || /[\n#]/.test(value)) return false;
  try {
    return (parse(`k: ${value}`) as Record<string, unknown> | null)?.k === value;
  } catch {
    return false;
  }
}

/** The edit that gives a string scalar a new value, in the quoting style it had (plain when safe, else single quotes). */
export function replaceScalar(text: string, node: YScalar, value: string): TextEdit {
  const first = nodeText(text, node)[0];
  let newText: string;
  if (first === '"') newText = JSON.stringify(value);
  else if (first === "'" || !plainIsSafe(value)) newText = `'${value.replaceAll("'", "''")}'`;
  else newText = value;
  return { range: { start: node.pos, end: node.end }, newText };
}

/**
 * The edit that removes one item of a block sequence: its whole line (the `- ` and any trailing
 * comment of the line go with it). Undefined for flow sequences (`[a, b]`) and items that share a
 * line with something else, where a line edit would not be safe.
 */
export function removeSeqItem(text: string, seq: YSeq, index: number): TextEdit | undefined {
  const item = seq.items[index];
  if (!item || item.pos.line !== item.end.line) return undefined;
  const lines = text.split('\n');
  const line = lines[item.pos.line - 1] ?? '';
  const before = line.slice(0, item.pos.col - 1);
  if (!/^\s*-\s+$/.test(before)) return undefined;
  const after = line.slice(item.end.col - 1);
  if (!/^\s*(#.*)?$/.test(after)) return undefined;
  // Never leave the sequence empty: its key would become null.
  if (seq.items.length < 2) return undefined;
  // The last line of a text without a final line break: take the break before it instead.
  if (item.pos.line === lines.length) return { range: { start: { line: item.pos.line - 1, col: (lines[item.pos.line - 2] ?? '').length + 1 }, end: { line: item.pos.line, col: line.length + 1 } }, newText: '' };
  return { range: { start: { line: item.pos.line, col: 1 }, end: { line: item.pos.line + 1, col: 1 } }, newText: '' };
}

/** The text of a range. */
export function nodeTextAt(text: string, range: { start: Position; end: Position }): string {
  const starts = lineStarts(text);
  return text.slice(offsetOf(starts, range.start), offsetOf(starts, range.end));
}
