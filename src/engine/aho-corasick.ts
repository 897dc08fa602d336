// Aho–Corasick: finds, in one pass over a text, every one of many literal patterns it contains.
// Used by the prefilter to tell which rules' required literals occur in an event.
//
// The automaton is one flat transition table (a DFA: failure links folded in), so that a scan is
// one table read per character and building it touches typed arrays only (a hunt builds a few
// dozen of these, some with thousands of patterns, before its first event). Columns are the
// characters the patterns use, plus column 0 for every other character.

/** 4 Mi cells × 4 bytes = 16 MiB at most per table; a bigger pattern set is split in parts. */
const MAX_CELLS = 4 * 1024 * 1024;

export class AhoCorasick {
  private readonly parts: Dfa[] = [];

  constructor(patterns: readonly string[]) {
    this.add(patterns, 0);
  }

  private add(patterns: readonly string[], firstId: number): void {
    if (patterns.length > 1 && trieSize(patterns) * columns(patterns).width > MAX_CELLS) {
      const half = patterns.length >> 1;
      this.add(patterns.slice(0, half), firstId);
      this.add(patterns.slice(half), firstId + half);
    } else this.parts.push(new Dfa(patterns, firstId));
  }

  /** Calls `hit` with the id of every pattern occurring in `text` (possibly more than once). */
  scan(text: string, hit: (id: number) => void): void {
    for (const p of this.parts) p.scan(text, hit);
  }

  /**
   * `scan` of `text.toLowerCase()` without building it, for ASCII text and lower-case patterns:
   * ASCII lower-casing is per character and context-free, so folding A–Z in the table is exact.
   * Returns false, having possibly reported some hits, at the first non-ASCII character (whose
   * lower case may depend on context or change the length): the caller then scans the lower-cased
   * text with `scan`, which reports every hit again (hits must be idempotent for the caller).
   */
  scanFolded(text: string, hit: (id: number) => void): boolean {
    for (const p of this.parts) if (!p.scanFolded(text, hit)) return false;
    return true;
  }
}

/** At most this many columns for non-ASCII characters (look-alike letters, dashes, emoji). */
const WIDE_COLUMNS = 32;

interface Columns {
  width: number;
  /** Column of each ASCII character (0: used by no pattern). */
  ascii: Int32Array;
  /** Column of each non-ASCII code unit the patterns use. */
  other: Map<number, number>;
}

/**
 * The table's columns: one per ASCII character the patterns use; non-ASCII code units share
 * WIDE_COLUMNS columns when there are more of them (a rule list of Unicode dash variants has
 * hundreds, and each column widens every row). Sharing a column makes two characters one for the
 * automaton, in patterns and text alike, so a real occurrence is always found and a few texts
 * with such characters may report a pattern that is not there: the prefilter may over-select.
 */
function columns(patterns: readonly string[]): Columns {
  const ascii = new Int32Array(128);
  const wide = new Set<number>();
  let width = 1;
  for (const p of patterns)
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c >= 128) wide.add(c);
      else if (ascii[c] === 0) ascii[c] = width++;
    }
  const other = new Map<number, number>();
  const shared = wide.size > WIDE_COLUMNS;
  for (const c of wide) other.set(c, width + (shared ? c % WIDE_COLUMNS : other.size));
  return { width: width + (shared ? WIDE_COLUMNS : wide.size), ascii, other };
}

/** Exact node count of the patterns' trie: the root plus each pattern's part past its common prefix with the previous (sorted). */
function trieSize(patterns: readonly string[]): number {
  const sorted = [...patterns].sort();
  let nodes = 1;
  let prev = '';
  for (const p of sorted) {
    let common = 0;
    while (common < p.length && common < prev.length && p.charCodeAt(common) === prev.charCodeAt(common)) common++;
    nodes += p.length - common;
    prev = p;
  }
  return nodes;
}

class Dfa {
  private readonly width: number;
  /** See `columns`; `folded` is `ascii` reading A–Z as a–z. */
  private readonly ascii: Int32Array;
  private readonly folded = new Int32Array(128);
  private readonly other: Map<number, number>;
  /**
   * Per state's row and column, the next state as the offset of its row (state × width), so the
   * scan does no multiplication; negative (−offset − 1) when patterns end in that state, so the scan
   * reads `out` only then.
   */
  private readonly table: Int32Array;
  /** Per state, the ids of the patterns ending there (through failure links too); undefined for none. */
  private readonly out: Array<number[] | undefined>;

  constructor(patterns: readonly string[], firstId: number) {
    const { width, ascii, other } = columns(patterns);
    this.width = width;
    this.ascii = ascii;
    this.other = other;
    for (let c = 0; c < 128; c++) this.folded[c] = this.ascii[c >= 65 && c <= 90 ? c + 32 : c]!;
    const size = trieSize(patterns);
    // The trie, in the table: 0 marks a missing child (the root is nobody's child).
    const table = new Int32Array(size * width);
    const out: Array<number[] | undefined> = new Array(size);
    let count = 1;
    patterns.forEach((p, i) => {
      let cur = 0;
      for (let j = 0; j < p.length; j++) {
        const cell = cur * width + this.column(p.charCodeAt(j));
        if (table[cell] === 0) table[cell] = count++;
        cur = table[cell]!;
      }
      (out[cur] ??= []).push(firstId + i);
    });
    // Breadth first, so that a state's failure state (shallower) has its row complete: a missing
    // child becomes the failure state's transition, a present one gets its failure link and
    // inherits the failure state's patterns.
    const fail = new Int32Array(count);
    const queue = new Int32Array(count);
    let tail = 0;
    for (let k = 0; k < width; k++) if (table[k] !== 0) queue[tail++] = table[k]!;
    for (let head = 0; head < tail; head++) {
      const u = queue[head]!;
      const row = u * width;
      const failRow = fail[u]! * width;
      for (let k = 0; k < width; k++) {
        const v = table[row + k]!;
        const f = table[failRow + k]!;
        if (v === 0) table[row + k] = f;
        else {
          fail[v] = f;
          const inherited = out[f];
          if (inherited) out[v] = (out[v] ?? []).concat(inherited);
          queue[tail++] = v;
        }
      }
    }
    for (let cell = 0; cell < count * width; cell++) {
      const v = table[cell]!;
      table[cell] = out[v] === undefined ? v * width : -(v * width) - 1;
    }
    this.table = table;
    this.out = out;
  }

  /** Reports the patterns of the state an encoded (negative) table entry leads to; returns its row. */
  private ended(entry: number, hit: (id: number) => void): number {
    const row = -entry - 1;
    const ids = this.out[row / this.width]!;
    for (let k = 0; k < ids.length; k++) hit(ids[k]!);
    return row;
  }

  private column(c: number): number {
    return c < 128 ? this.ascii[c]! : (this.other.get(c) ?? 0);
  }

  scan(text: string, hit: (id: number) => void): void {
    const { table, ascii, other } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const next = table[row + (c < 128 ? ascii[c]! : (other.get(c) ?? 0))]!;
      row = next >= 0 ? next : this.ended(next, hit);
    }
  }

  scanFolded(text: string, hit: (id: number) => void): boolean {
    const { table, folded } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) return false;
      const next = table[row + folded[c]!]!;
      row = next >= 0 ? next : this.ended(next, hit);
    }
    return true;
  }
}
