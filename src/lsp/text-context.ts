// Where the cursor is in a rule being typed. Completion runs on text that is not valid YAML yet
// (`CommandLine|cont` has no colon), so this reads lines and indentation instead of the YAML tree:
// the keys above the cursor at smaller indentation are its path (`detection` › `selection`), and
// the text before the cursor on its line tells a key being written from a value.
import type { LogSource } from '../sigma/model.js';

export interface LineContext {
  /** The keys enclosing the cursor's line, outermost first (`['detection', 'selection']`). */
  path: string[];
  /** Writing a key (`Comm`), or the value of `key` (`category: proc`), or a list item under the path. */
  mode: 'key' | 'value' | 'item';
  key?: string;
  /** The text from the start of what is being written to the cursor. */
  prefix: string;
}

interface LineShape {
  /** Column of the content after indentation and list dashes. */
  indent: number;
  /** Column of the first list dash (the indentation), equal to `indent` when there is none. */
  dashAt: number;
  dashes: number;
  content: string;
}

function shape(line: string): LineShape {
  const m = /^(\s*)((?:-(?:\s+|$))*)(.*)$/.exec(line)!;
  return { indent: m[1]!.length + m[2]!.length, dashAt: m[1]!.length, dashes: (m[2]!.match(/-/g) ?? []).length, content: m[3]! };
}

const KEY = /^(['"]?)([^'":#]+?)\1\s*:(?:\s|$)/;
const blankOrComment = (l: string) => /^\s*(#.*)?$/.test(l);
const isDocumentMarker = (l: string) => /^(---|\.\.\.)\s*$/.test(l);

/** The keys of the lines above `line` that enclose it (0-based line, content indentation `indent`). */
function enclosingKeys(lines: readonly string[], line: number, indent: number): string[] {
  const path: string[] = [];
  let limit = indent;
  for (let i = line - 1; i >= 0 && limit > 0; i--) {
    const l = lines[i]!;
    if (isDocumentMarker(l)) break;
    if (blankOrComment(l)) continue;
    const s = shape(l);
    // A list item beside the cursor's line (`- Image: x` above `  CommandLine: y`) has its key at the
    // line's own indentation: a sibling, not a parent.
    if (s.indent >= limit) continue;
    const k = KEY.exec(s.content);
    if (k) path.unshift(k[2]!.trim());
    limit = s.dashAt;
  }
  return path;
}

/** The context of a cursor at 0-based `line` and UTF-16 `character`. */
export function lineContext(lines: readonly string[], line: number, character: number): LineContext {
  const before = (lines[line] ?? '').slice(0, character);
  const s = shape(before);
  const path = enclosingKeys(lines, line, s.dashAt);
  const value = /^(['"]?)([^'":#]+?)\1\s*:\s+(.*)$/.exec(s.content);
  if (value) return { path, mode: 'value', key: value[2]!.trim(), prefix: value[3]!.replace(/^['"]/, '') };
  if (s.dashes && !s.content.includes(':') && !['detection', 'filter'].includes(path[0] ?? '')) return { path, mode: 'item', prefix: s.content };
  return { path, mode: 'key', prefix: s.content };
}

/** The 0-based first and last lines of the YAML document holding `line` (documents split at `---`). */
export function documentLines(lines: readonly string[], line: number): [number, number] {
  let first = line;
  while (first > 0 && !isDocumentMarker(lines[first - 1]!)) first--;
  let last = line;
  while (last < lines.length - 1 && !isDocumentMarker(lines[last + 1]!)) last++;
  return [first, last];
}

/** The entries of a top-level map key's block (`logsource:`, `detection:`) in the document holding `line`. */
export function blockEntries(lines: readonly string[], line: number, key: string): Array<{ key: string; value: string; line: number }> {
  const [first, last] = documentLines(lines, line);
  const out: Array<{ key: string; value: string; line: number }> = [];
  let inside = false;
  let childIndent = -1;
  for (let i = first; i <= last; i++) {
    const l = lines[i]!;
    if (blankOrComment(l)) continue;
    const s = shape(l);
    if (s.indent === 0 && !s.dashes) {
      const k = KEY.exec(s.content);
      inside = k?.[2]!.trim() === key;
      childIndent = -1;
      continue;
    }
    if (!inside || s.dashes) continue;
    if (childIndent < 0) childIndent = s.indent;
    if (s.indent !== childIndent) continue;
    const k = /^(['"]?)([^'":#]+?)\1\s*:\s*(.*?)\s*(?:#.*)?$/.exec(s.content);
    if (k) out.push({ key: k[2]!.trim(), value: k[3]!.replace(/^(['"])(.*)\1$/, '$2'), line: i });
  }
  return out;
}

/** The rule's log source as written in the document holding `line`, read from its lines. */
export function logsourceAt(lines: readonly string[], line: number): LogSource {
  const ls: LogSource = {};
  for (const e of blockEntries(lines, line, 'logsource')) {
    if ((e.key === 'category' || e.key === 'product' || e.key === 'service') && e.value) ls[e.key] = e.value;
  }
  return ls;
}
