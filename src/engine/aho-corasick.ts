// Aho–Corasick: finds, in one pass over a text, every one of many literal patterns it contains.
// Used by the prefilter to tell which rules' required literals occur in an event.
//
// Two layers, because a scan's cost is memory, not arithmetic. The shallow states (the first in
// breadth-first order: the root and the starts of patterns, where a scan of ordinary text spends
// nearly all its time) get full rows of a flat transition table, failure links folded in, so a step
// is one table read. Deeper states, nearly all of them one-child chains through the tail of a single
// pattern, keep only their children and their failure link: a step tries the children and otherwise
// falls back along failure links to a shallower state. A full table for every state of the largest
// field (5,700 hash tails, 54,000 states × 43 columns) was 9 MB: it missed the CPU caches on every
// character and took most of the prefilter's build time; the full rows are now capped (DENSE_CELLS),
// and the rest costs a few bytes per state, built in time linear in the patterns' length.
//
// Columns are the characters the patterns use, plus column 0 for every other character.

/** Full-row cells at most (× 4 bytes): enough for every state of depth ≤ 2 of the largest fields. */
const DENSE_CELLS = 96 * 1024;
/** Full rows for states this deep at most: deeper ones are mostly single chains, rarely visited. */
const DENSE_DEPTH = 3;

/** At most this many columns for non-ASCII characters (look-alike letters, dashes, emoji). */
const WIDE_COLUMNS = 32;

interface Columns {
  width: number;
  /** Column of each ASCII character (0: used by no pattern). */
  ascii: Int32Array;
  /** Column of each non-ASCII code unit the patterns use. */
  other: Map<number, number>;
  /** Whether some non-ASCII characters share a column. */
  shared: boolean;
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
  return { width: width + (shared ? WIDE_COLUMNS : wide.size), ascii, other, shared };
}

/** The patterns' trie in pre-order (node 0 the root), each node with its parent, edge column and depth. */
interface PreorderTrie {
  count: number;
  maxDepth: number;
  parent: Int32Array;
  edge: Uint8Array;
  depth: Int32Array;
  /** Per node, the first pattern ending there (−1: none); further ones through `nextSame`. */
  own: Int32Array;
  nextSame: Int32Array;
}

/**
 * The patterns sorted by their column sequences: consecutive ones share their common prefix in the
 * trie, so it is built in pre-order without looking a child up. While no two characters share a
 * column, text order is that order (and the native comparison is the fast one).
 */
function preorderTrie(patterns: readonly string[], cols: Columns): PreorderTrie {
  const column = (p: string, i: number) => {
    const c = p.charCodeAt(i);
    return c < 128 ? cols.ascii[c]! : (cols.other.get(c) ?? 0);
  };
  let total = 1;
  let maxDepth = 0;
  for (const p of patterns) {
    if (p.length === 0) throw new Error('Aho–Corasick: empty pattern');
    total += p.length;
    maxDepth = Math.max(maxDepth, p.length);
  }
  const order = Array.from(patterns.keys());
  order.sort(
    cols.shared
      ? (a, b) => {
          const x = patterns[a]!;
          const y = patterns[b]!;
          for (let i = 0; i < x.length && i < y.length; i++) if (column(x, i) !== column(y, i)) return column(x, i) - column(y, i);
          return x.length - y.length || a - b;
        }
      : (a, b) => {
          const x = patterns[a]!;
          const y = patterns[b]!;
          return x < y ? -1 : x > y ? 1 : a - b;
        },
  );
  const t: PreorderTrie = {
    count: 1,
    maxDepth,
    parent: new Int32Array(total),
    edge: new Uint8Array(total),
    depth: new Int32Array(total),
    own: new Int32Array(total).fill(-1),
    nextSame: new Int32Array(patterns.length).fill(-1),
  };
  const path = new Int32Array(maxDepth + 1); // path[d]: the node at depth d of the previous pattern
  let prev = '';
  for (const id of order) {
    const p = patterns[id]!;
    let common = 0;
    while (common < p.length && common < prev.length && column(p, common) === column(prev, common)) common++;
    for (let d = common; d < p.length; d++) {
      const node = t.count++;
      t.parent[node] = path[d]!;
      t.edge[node] = column(p, d);
      t.depth[node] = d + 1;
      path[d + 1] = node;
    }
    const end = path[p.length]!;
    // Equal sequences sort by id, so the ids ending at a node are listed in order.
    if (t.own[end] === -1) t.own[end] = id;
    else {
      let last = t.own[end]!;
      while (t.nextSame[last] !== -1) last = t.nextSame[last]!;
      t.nextSame[last] = id;
    }
    prev = p;
  }
  return t;
}

/**
 * Breadth-first numbering: a stable sort of pre-order by depth. Pre-order keeps a node's children
 * together and in the order of their parents, so each state's children are a range of states.
 */
function breadthFirst(t: PreorderTrie): { edge: Uint8Array; ownFirst: Int32Array; nextSame: Int32Array; childStart: Int32Array; shallow: number } {
  const { count, maxDepth, depth } = t;
  const firstAt = new Int32Array(maxDepth + 2);
  for (let n = 0; n < count; n++) firstAt[depth[n]! + 1]!++;
  for (let d = 1; d <= maxDepth + 1; d++) firstAt[d]! += firstAt[d - 1]!;
  const shallow = firstAt[Math.min(DENSE_DEPTH, maxDepth) + 1]!;
  const renum = new Int32Array(count);
  for (let n = 0; n < count; n++) renum[n] = firstAt[depth[n]!]!++;
  const edge = new Uint8Array(count);
  const ownFirst = new Int32Array(count);
  const childCount = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const s = renum[n]!;
    edge[s] = t.edge[n]!;
    ownFirst[s] = t.own[n]!;
    if (n > 0) childCount[renum[t.parent[n]!]!]!++;
  }
  const childStart = new Int32Array(count + 1);
  childStart[0] = 1;
  for (let s = 0; s < count; s++) childStart[s + 1] = childStart[s]! + childCount[s]!;
  return { edge, ownFirst, nextSame: t.nextSame, childStart, shallow };
}

/**
 * Texts scanFolded reads as bytes at most (longer ones are lower-cased and scanned as text), and
 * its buffer: room for the UTF-8 of any text that long (3 bytes a code unit at most), so that a
 * non-ASCII text is always written whole and told by its length.
 */
const FOLDED_LONGEST = 8192;
const folding = new Uint8Array(3 * FOLDED_LONGEST);
const encoder = new TextEncoder();
const NO_UNITS = new Uint8Array(0);

export class AhoCorasick {
  private readonly width: number;
  /** See `columns`; `folded` is `ascii` reading A–Z as a–z. */
  private readonly ascii: Int32Array;
  private readonly folded = new Int32Array(128);
  private readonly other: Map<number, number>;
  /** States are numbered breadth first; those below `dense` have a full row in `table`. */
  private readonly dense: number;
  /**
   * Per dense state's row and column, the next state, encoded for the scan's common case: a dense
   * state where no pattern ends is its row's offset (≥ 0: the next read is `table[entry + column]`,
   * no multiplication); any other state s is ~s (< 0), which sends the scan to the slow path.
   */
  private readonly table: Int32Array;
  /** The children of state s are the states childStart[s] … childStart[s + 1] − 1 (breadth-first numbering keeps them together). */
  private readonly childStart: Int32Array;
  /** Per state, the column of the edge from its parent (at most 1 + 128 + WIDE_COLUMNS columns: a byte). */
  private readonly edge: Uint8Array;
  /** Per state, its failure link: the state of its longest proper suffix that is a trie path. */
  private readonly fail: Int32Array;
  /** Per state, 1 when a pattern ends there or at a state on its failure chain. */
  private readonly emits: Uint8Array;
  /** Per state, the first pattern ending exactly there (−1: none); further ones through `nextSame`. */
  private readonly ownFirst: Int32Array;
  /** Per pattern, the next pattern with the same column sequence (−1: none). */
  private readonly nextSame: Int32Array;
  /** Per state, the nearest state on its failure chain where a pattern ends (0: none). */
  private readonly outLink: Int32Array;

  /**
   * Patterns must not be empty (an empty one would occur everywhere: the prefilter never asks for
   * it). `denseCells` caps the full rows (tests set it low to run the sparse states on small sets).
   */
  constructor(patterns: readonly string[], denseCells = DENSE_CELLS) {
    const cols = columns(patterns);
    const { width, ascii } = cols;
    this.width = width;
    this.ascii = ascii;
    this.other = cols.other;
    for (let c = 0; c < 128; c++) this.folded[c] = ascii[c >= 65 && c <= 90 ? c + 32 : c]!;
    const t = breadthFirst(preorderTrie(patterns, cols));
    const count = t.edge.length;
    const dense = (this.dense = Math.max(1, Math.min(t.shallow, Math.floor(denseCells / width))));
    this.table = new Int32Array(dense * width);
    this.childStart = t.childStart;
    this.edge = t.edge;
    this.ownFirst = t.ownFirst;
    this.nextSame = t.nextSame;
    this.fail = new Int32Array(count);
    this.emits = new Uint8Array(count);
    this.outLink = new Int32Array(count);
    this.link();
  }

  /**
   * Failure links, outputs and the full rows, in breadth-first order so that every state a step
   * reads (shallower) is complete.
   */
  private link(): void {
    const { table, fail, emits, outLink, ownFirst, childStart, edge, dense, width } = this;
    const count = edge.length;
    for (let s = 0; s < count; s++) {
      const f = fail[s]!;
      for (let v = childStart[s]!; v < childStart[s + 1]!; v++) {
        const fv = s === 0 ? 0 : this.step(f, edge[v]!);
        fail[v] = fv;
        outLink[v] = ownFirst[fv] !== -1 ? fv : outLink[fv]!;
        emits[v] = ownFirst[v] !== -1 || outLink[v] !== 0 ? 1 : 0;
      }
      if (s < dense) {
        // A missing child leads where the failure state leads (the root: to itself).
        if (s > 0) table.copyWithin(s * width, f * width, f * width + width);
        for (let v = childStart[s]!; v < childStart[s + 1]!; v++) table[s * width + edge[v]!] = v < dense && emits[v] === 0 ? v * width : ~v;
      }
    }
  }

  /** The state after reading column `k` in state `s`. */
  private step(s: number, k: number): number {
    const { childStart, edge, fail, dense, table, width } = this;
    if (s >= dense) {
      if (k === 0) return 0; // a character no pattern has: no suffix survives it
      for (;;) {
        for (let v = childStart[s]!, end = childStart[s + 1]!; v < end; v++) if (edge[v] === k) return v;
        s = fail[s]!;
        if (s < dense) break;
      }
    }
    const e = table[s * width + k]!;
    return e >= 0 ? (e / width) | 0 : ~e;
  }

  /**
   * The slow path of a scan: reports the patterns ending at state `s` (reached at character i),
   * then steps through the sparse states that follow; returns the index of the last character
   * read and the dense state reached (its row offset, in `row`), or −1 when the text ended. The
   * characters are `text`'s code units, or with `text` null the first `n` of `units` (scanFolded's
   * ASCII bytes, each its own code unit).
   */
  private slow(text: string | null, units: Uint8Array, n: number, i: number, s: number, map: Int32Array, hit: (id: number) => void): number {
    const { dense, emits, ownFirst, nextSame, outLink, other } = this;
    for (;;) {
      if (emits[s] !== 0) for (let x = ownFirst[s] !== -1 ? s : outLink[s]!; x !== 0; x = outLink[x]!) for (let id = ownFirst[x]!; id !== -1; id = nextSame[id]!) hit(id);
      if (s < dense) {
        this.row = s * this.width;
        return i;
      }
      if (++i >= n) return -1;
      const c = text === null ? units[i]! : text.charCodeAt(i);
      s = this.step(s, c < 128 ? map[c]! : (other.get(c) ?? 0));
    }
  }

  /** The slow path's state out (see `slow`). */
  private row = 0;

  /** Calls `hit` with the id (index) of every pattern occurring in `text` (possibly more than once). */
  scan(text: string, hit: (id: number) => void): void {
    const { table, ascii, other } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const next = table[row + (c < 128 ? ascii[c]! : (other.get(c) ?? 0))]!;
      if (next >= 0) row = next;
      else {
        i = this.slow(text, NO_UNITS, text.length, i, ~next, ascii, hit);
        if (i < 0) return;
        row = this.row;
      }
    }
  }

  /**
   * `scan` of `text.toLowerCase()` without building it, for ASCII text and lower-case patterns:
   * ASCII lower-casing is per character and context-free, so folding A–Z in the table is exact.
   * Returns false, having reported nothing, when the text has a non-ASCII character (whose lower
   * case may depend on context or change the length) or is longer than FOLDED_LONGEST: the caller
   * then scans the lower-cased text with `scan`.
   *
   * The text is read as bytes: one native call writes it as UTF-8 into a buffer kept for all scans
   * (as long as the text exactly when it is ASCII), and the loop then reads a byte array, where
   * String#charCodeAt, inlined, costs about as much as the rest of a step (it checks the string's
   * representation at every character): 13% fewer instructions over the prefilter's scans of the
   * SigmaHQ regression events' values (callgrind). A `hit` must not start another scanFolded
   * (none does): the buffer is shared.
   */
  scanFolded(text: string, hit: (id: number) => void): boolean {
    const n = text.length;
    if (n > FOLDED_LONGEST || encoder.encodeInto(text, folding).written !== n) return false;
    const units = folding;
    const { table, folded } = this;
    let row = 0;
    for (let i = 0; i < n; i++) {
      const next = table[row + folded[units[i]!]!]!;
      if (next >= 0) row = next;
      else {
        i = this.slow(null, units, n, i, ~next, folded, hit);
        if (i < 0) return true;
        row = this.row;
      }
    }
    return true;
  }

  /** Bytes held by the automaton's typed arrays (tests and benchmarks). */
  get bytes(): number {
    return this.table.byteLength + this.childStart.byteLength + this.edge.byteLength + this.fail.byteLength + this.emits.byteLength + this.ownFirst.byteLength + this.nextSame.byteLength + this.outLink.byteLength;
  }
}
