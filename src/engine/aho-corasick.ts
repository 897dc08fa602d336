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
// What a scan touches is kept small and close together, since an event's scans run between rule
// evaluations that push the automata out of the caches:
// - cells are 16 bits (a state number, or a reference to the list of the targets that need the
//   slow path), half the bytes of offsets; rows are a power of two cells apart, so a state's row
//   is a shift away (a multiplication in the scan's dependency chain cost more than it saved);
// - columns are numbered by how often the patterns use their character, so the cells a text reads
//   of a row (letters, `\`, `.`, space) share a cache line or two, and the rare ones sit at its end;
// - deep states are numbered in pre-order: a state's first child is the next state, so walking down
//   a pattern's tail reads consecutive entries of each array rather than states scattered breadth
//   first over the whole automaton.
// On the SigmaHQ regression events (long command lines, a rule set's every field) the detector ran
// about 15–20% faster with these (in one process beside the former automaton, passes interleaved);
// on the short values of the public EVTX samples, where the shallow rows do everything, about 5%
// slower. The automata of every Windows rule take 9.4 MB instead of 13.2, built in the same time.
//
// Column 0 is for every character no pattern has.

/** Full-row cells at most (× 2 bytes, rows rounded up to a power of two): every state of depth ≤ 3 of most fields. */
const DENSE_CELLS = 128 * 1024;
/** Full rows for states this deep at most: deeper ones are mostly single chains, rarely visited. */
const DENSE_DEPTH = 3;
/** Cells are 16 bits: full-row states and the slow path's targets together stay below this. */
const CELL_LIMIT = 0x10000;

/** At most this many columns for non-ASCII characters (look-alike letters, dashes, emoji). */
const WIDE_COLUMNS = 32;

/** Per state flags (see `flags`). */
const EMITS = 1;
const HAS_CHILD = 2;

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
 * The table's columns: one per ASCII character the patterns use, the most used first (see the
 * header); non-ASCII code units share WIDE_COLUMNS columns when there are more of them (a rule
 * list of Unicode dash variants has hundreds, and each column widens every row). Sharing a column
 * makes two characters one for the automaton, in patterns and text alike, so a real occurrence is
 * always found and a few texts with such characters may report a pattern that is not there: the
 * prefilter may over-select.
 */
function columns(patterns: readonly string[]): Columns {
  const uses = new Float64Array(128);
  const wide = new Set<number>();
  for (const p of patterns)
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c >= 128) wide.add(c);
      else uses[c]!++;
    }
  const used: number[] = [];
  for (let c = 0; c < 128; c++) if (uses[c]! > 0) used.push(c);
  used.sort((a, b) => uses[b]! - uses[a]! || a - b);
  const ascii = new Int32Array(128);
  for (let i = 0; i < used.length; i++) ascii[used[i]!] = i + 1;
  const width = used.length + 1;
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
 * column, text order groups them the same way (and the native comparison is the fast one).
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

/** The automaton's states, renumbered: full-row ones breadth first, then the others in pre-order. */
interface Numbered {
  dense: number;
  edge: Uint8Array;
  ownFirst: Int32Array;
  flags: Uint8Array;
  /** Per deep state, its next sibling (0: none); its first child, when it has one, is the next state. */
  sibling: Int32Array;
  /** Per state, its children (build only: the table's rows and the failure links need them). */
  childStart: Int32Array;
  children: Int32Array;
  /** The states by depth (build only: failure links are made shallow first). */
  byDepth: Int32Array;
}

/**
 * The number of full-row states: those of depth ≤ DENSE_DEPTH, breadth first, as many as
 * `denseCells` cells hold, and few enough that they and every state their rows lead to (none is
 * deeper than one more level) have 16-bit cells.
 */
function denseCount(firstAt: Int32Array, maxDepth: number, width: number, denseCells: number): number {
  const atMost = (d: number) => firstAt[Math.min(d, maxDepth) + 1]!; // states of depth ≤ d
  for (let d = DENSE_DEPTH; ; d--) {
    const dense = Math.max(1, Math.min(atMost(d), Math.floor(denseCells / width)));
    if (dense + atMost(d + 1) < CELL_LIMIT || d === 0) return dense;
  }
}

function numbered(t: PreorderTrie, width: number, denseCells: number): Numbered {
  const { count, maxDepth, depth, parent } = t;
  const firstAt = new Int32Array(maxDepth + 2);
  for (let n = 0; n < count; n++) firstAt[depth[n]! + 1]!++;
  for (let d = 1; d <= maxDepth + 1; d++) firstAt[d]! += firstAt[d - 1]!;
  const dense = denseCount(firstAt, maxDepth, width, denseCells);
  // Breadth-first rank: a stable sort of pre-order by depth. The first `dense` keep it as their
  // number; the rest are numbered after them in pre-order, so each deep state's subtree is a range
  // that starts with the state itself (deep states have deep children only).
  const rank = new Int32Array(count);
  const next = firstAt.slice(0, maxDepth + 1);
  for (let n = 0; n < count; n++) rank[n] = next[depth[n]!]!++;
  const id = new Int32Array(count);
  let deep = dense;
  for (let n = 0; n < count; n++) id[n] = rank[n]! < dense ? rank[n]! : deep++;
  const edge = new Uint8Array(count);
  const ownFirst = new Int32Array(count);
  const flags = new Uint8Array(count);
  const sibling = new Int32Array(count);
  const childCount = new Int32Array(count);
  const lastChild = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const s = id[n]!;
    edge[s] = t.edge[n]!;
    ownFirst[s] = t.own[n]!;
    if (n === 0) continue;
    const p = id[parent[n]!]!;
    childCount[p]!++;
    flags[p]! |= HAS_CHILD;
    if (lastChild[p] !== 0) sibling[lastChild[p]!] = s;
    lastChild[p] = s;
  }
  const childStart = new Int32Array(count + 1);
  for (let s = 0; s < count; s++) childStart[s + 1] = childStart[s]! + childCount[s]!;
  const children = new Int32Array(count);
  const fill = childStart.slice(0, count);
  for (let n = 1; n < count; n++) {
    const p = id[parent[n]!]!;
    children[fill[p]!++] = id[n]!;
  }
  const byDepth = new Int32Array(count);
  for (let n = 0; n < count; n++) byDepth[rank[n]!] = id[n]!;
  return { dense, edge, ownFirst, flags, sibling, childStart, children, byDepth };
}

export class AhoCorasick {
  private readonly width: number;
  /** Rows are 2^shift cells apart (the width rounded up): a state's row is a shift away, not a multiplication. */
  private readonly shift: number;
  /** See `columns`; `folded` is `ascii` reading A–Z as a–z. */
  private readonly ascii: Int32Array;
  private readonly folded = new Int32Array(128);
  private readonly other: Map<number, number>;
  /** States below `dense` (breadth first) have a full row in `table`; the others are numbered in pre-order. */
  private readonly dense: number;
  /**
   * Per full-row state's row and column, the next state, encoded for the scan's common case: a
   * full-row state where no pattern ends is its own number (< dense: its row is that << shift); any
   * other state is dense + its index in `far` (the scan then takes the slow path).
   */
  private readonly table: Uint16Array;
  /** The states the table's cells ≥ dense stand for. */
  private far: Int32Array;
  /** Per state, the column of the edge from its parent (at most 1 + 128 + WIDE_COLUMNS columns: a byte). */
  private readonly edge: Uint8Array;
  /** Per state, EMITS (a pattern ends there or at a state on its failure chain) and HAS_CHILD. */
  private readonly flags: Uint8Array;
  /** Per deep state, its next sibling (0: none); its first child is the next state. */
  private readonly sibling: Int32Array;
  /** Per state, its failure link: the state of its longest proper suffix that is a trie path. */
  private readonly fail: Int32Array;
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
    const trie = preorderTrie(patterns, cols);
    this.shift = 32 - Math.clz32(width - 1);
    const n = numbered(trie, 1 << this.shift, denseCells);
    const count = n.edge.length;
    this.dense = n.dense;
    this.table = new Uint16Array(n.dense << this.shift);
    this.edge = n.edge;
    this.flags = n.flags;
    this.sibling = n.sibling;
    this.ownFirst = n.ownFirst;
    this.nextSame = trie.nextSame;
    this.fail = new Int32Array(count);
    this.outLink = new Int32Array(count);
    this.far = new Int32Array(Math.min(count, CELL_LIMIT));
    this.far = this.far.slice(0, this.link(n));
  }

  /**
   * Failure links, outputs and the full rows, shallow states first so that every state a step
   * reads is complete; fills `far` (see `table`) and returns how many it holds.
   */
  private link(n: Numbered): number {
    const { table, fail, flags, outLink, ownFirst, edge, dense, width, shift, far } = this;
    const { childStart, children, byDepth } = n;
    const count = edge.length;
    const farIndex = new Int32Array(count).fill(-1);
    let farCount = 0;
    const cell = (v: number) => {
      if (v < dense && (flags[v]! & EMITS) === 0) return v;
      if (farIndex[v] === -1) {
        if (dense + farCount >= CELL_LIMIT) throw new Error('Aho–Corasick: full rows past 16-bit cells'); // denseCount rules it out
        far[(farIndex[v] = farCount++)] = v;
      }
      return dense + farIndex[v]!;
    };
    for (let i = 0; i < count; i++) {
      const s = byDepth[i]!;
      const f = fail[s]!;
      for (let j = childStart[s]!; j < childStart[s + 1]!; j++) {
        const v = children[j]!;
        const fv = s === 0 ? 0 : this.step(f, edge[v]!);
        fail[v] = fv;
        outLink[v] = ownFirst[fv] !== -1 ? fv : outLink[fv]!;
        if (ownFirst[v] !== -1 || outLink[v] !== 0) flags[v]! |= EMITS;
      }
      if (s < dense) {
        // A missing child leads where the failure state leads (the root: to itself).
        if (s > 0) table.copyWithin(s << shift, f << shift, (f << shift) + width);
        for (let j = childStart[s]!; j < childStart[s + 1]!; j++) table[(s << shift) + edge[children[j]!]!] = cell(children[j]!);
      }
    }
    return farCount;
  }

  /** The state after reading column `k` in state `s`. */
  private step(s: number, k: number): number {
    const { flags, sibling, edge, fail, dense, table, shift } = this;
    if (s >= dense) {
      if (k === 0) return 0; // a character no pattern has: no suffix survives it
      for (;;) {
        if ((flags[s]! & HAS_CHILD) !== 0) for (let v = s + 1; v !== 0; v = sibling[v]!) if (edge[v] === k) return v;
        s = fail[s]!;
        if (s < dense) break;
      }
    }
    const e = table[(s << shift) + k]!;
    return e < dense ? e : this.far[e - dense]!;
  }

  /**
   * The slow path of a scan: reports the patterns ending at state `s` (reached at text[i]), then
   * steps through the deep states that follow; returns the index of the last character read and
   * the full-row state reached (its row offset), or −1 when the text ended (or, folded, hit non-ASCII).
   */
  private slow(text: string, i: number, s: number, map: Int32Array, other: Map<number, number> | null, hit: (id: number) => void): number {
    const { dense, flags, ownFirst, nextSame, outLink } = this;
    for (;;) {
      if ((flags[s]! & EMITS) !== 0) for (let x = ownFirst[s] !== -1 ? s : outLink[s]!; x !== 0; x = outLink[x]!) for (let id = ownFirst[x]!; id !== -1; id = nextSame[id]!) hit(id);
      if (s < dense) {
        this.row = s << this.shift;
        return i;
      }
      if (++i >= text.length) {
        this.row = 0;
        return -1;
      }
      const c = text.charCodeAt(i);
      if (c >= 128 && !other) {
        this.row = -1;
        return -1;
      }
      s = this.step(s, c < 128 ? map[c]! : (other!.get(c) ?? 0));
    }
  }

  /** The slow path's state out (see `slow`); −1 after scanFolded met non-ASCII there. */
  private row = 0;

  /** Calls `hit` with the id (index) of every pattern occurring in `text` (possibly more than once). */
  scan(text: string, hit: (id: number) => void): void {
    const { table, ascii, other, dense, shift } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const next = table[row + (c < 128 ? ascii[c]! : (other.get(c) ?? 0))]!;
      if (next < dense) row = next << shift;
      else {
        i = this.slow(text, i, this.far[next - dense]!, ascii, other, hit);
        if (i < 0) return;
        row = this.row;
      }
    }
  }

  /**
   * `scan` of `text.toLowerCase()` without building it, for ASCII text and lower-case patterns:
   * ASCII lower-casing is per character and context-free, so folding A–Z in the table is exact.
   * Returns false, having possibly reported some hits, at the first non-ASCII character (whose
   * lower case may depend on context or change the length): the caller then scans the lower-cased
   * text with `scan`, which reports every hit again (hits must be idempotent for the caller).
   */
  scanFolded(text: string, hit: (id: number) => void): boolean {
    const { table, folded, dense, shift } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) return false;
      const next = table[row + folded[c]!]!;
      if (next < dense) row = next << shift;
      else {
        i = this.slow(text, i, this.far[next - dense]!, folded, null, hit);
        if (i < 0) return this.row !== -1;
        row = this.row;
      }
    }
    return true;
  }

  /** Bytes held by the automaton's typed arrays (tests and benchmarks). */
  get bytes(): number {
    return this.table.byteLength + this.far.byteLength + this.edge.byteLength + this.flags.byteLength + this.sibling.byteLength + this.fail.byteLength + this.ownFirst.byteLength + this.nextSame.byteLength + this.outLink.byteLength;
  }
}
