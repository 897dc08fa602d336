// Inline suppression: a YAML comment in the rule file.
//   `# quarry-lint-disable ID[, ID…]`   at the end of a line: findings that start on that line;
//                                       on a line of its own: findings that start on the next line
//                                       that is not a comment
//   `# quarry-lint-disable-file ID…`    anywhere: findings in the whole file
// With no id, every check is suppressed there. Suppressed findings are counted, never lost silently.
import type { Finding } from './types.js';

const COMMENT = /#\s*quarry-lint-disable(-file)?\b([^#\n]*)/;

interface Suppressions {
  file: Set<string> | 'all' | null;
  lines: Map<number, Set<string> | 'all'>;
}

function ids(text: string): Set<string> | 'all' {
  const list = text.split(/[,\s]+/).filter(Boolean);
  return list.length ? new Set(list) : 'all';
}

const merge = (a: Set<string> | 'all' | null | undefined, b: Set<string> | 'all'): Set<string> | 'all' => (a === 'all' || b === 'all' ? 'all' : new Set([...(a ?? []), ...b]));

export function readSuppressions(text: string): Suppressions {
  const out: Suppressions = { file: null, lines: new Map() };
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const hash = line.indexOf('#');
    if (hash < 0) return;
    const m = COMMENT.exec(line.slice(hash));
    if (!m) return;
    const which = ids(m[2] ?? '');
    if (m[1]) {
      out.file = merge(out.file, which);
      return;
    }
    let target = i + 1; // 1-based line of this comment
    if (line.slice(0, hash).trim() === '') {
      target = i + 2;
      while (target <= lines.length && /^\s*(#.*)?$/.test(lines[target - 1]!)) target++;
    }
    out.lines.set(target, merge(out.lines.get(target), which));
  });
  return out;
}

const covers = (s: Set<string> | 'all' | null | undefined, check: string) => s === 'all' || (s instanceof Set && s.has(check));

export function isSuppressed(s: Suppressions, f: Finding): boolean {
  return covers(s.file, f.check) || covers(s.lines.get(f.range.start.line), f.check);
}
