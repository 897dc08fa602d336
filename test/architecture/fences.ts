// The fences of ARCHITECTURE.md read from its two tables: which rooms each room may import, and the
// crossings allowed for now. Cells name rooms in backticks; `—` means none.
import { readFileSync } from 'node:fs';

export interface Fences {
  mayImport: Map<string, Set<string>>;
  /** "from→to" → the reason written beside it. */
  allowed: Map<string, string>;
}

/** The rows of the first Markdown table after the heading, as arrays of cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const at = markdown.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`ARCHITECTURE.md has no section '## ${heading}'`);
  const lines = markdown.slice(at).split('\n').slice(2);
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith('|')) break;
    rows.push(l.slice(1, -1).split('|').map((c) => c.trim()));
  }
  // header and separator rows
  return rows.slice(2);
}

const rooms = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

export function readFences(file: string): Fences {
  const md = readFileSync(file, 'utf8');
  const mayImport = new Map<string, Set<string>>();
  for (const row of tableAfter(md, 'Rooms')) mayImport.set(rooms(row[0]!)[0]!, new Set(rooms(row.at(-1)!)));
  const allowed = new Map<string, string>();
  for (const row of tableAfter(md, 'Crossings allowed for now')) allowed.set(`${rooms(row[0]!)[0]}→${rooms(row[1]!)[0]}`, row[2]!);
  return { mayImport, allowed };
}

/** One import from a room of src/ into another. */
export interface Crossing {
  file: string;
  line: number;
  from: string;
  to: string;
}

/** Crossings the fences forbid, and allowances that no crossing uses any more. */
export function judge(crossings: readonly Crossing[], fences: Fences): { forbidden: string[]; unusedAllowances: string[] } {
  const forbidden: string[] = [];
  const used = new Set<string>();
  for (const c of crossings) {
    if (fences.mayImport.get(c.from)?.has(c.to)) continue;
    const key = `${c.from}→${c.to}`;
    if (fences.allowed.has(key)) used.add(key);
    else forbidden.push(`${c.file}:${c.line}: ${key} is not allowed by ARCHITECTURE.md`);
  }
  return { forbidden, unusedAllowances: [...fences.allowed.keys()].filter((k) => !used.has(k)) };
}
