// Aho–Corasick: finds, in one pass over a text, every one of many literal patterns it contains.
// Used by the prefilter to tell which rules' required literals occur in an event.

interface Node {
  next: Map<number, number>;
  fail: number;
  /** Pattern ids ending here, including those reached through failure links. */
  out: number[];
}

/** 4 Mi cells × 4 bytes = 16 MiB at most per automaton's table. */
const DFA_MAX_CELLS = 4 * 1024 * 1024;

export class AhoCorasick {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];
  /** The root's transitions on ASCII as a dense table: a scan spends most of its time at the root. */
  private readonly rootAscii = new Int32Array(128);
  /**
   * The complete transition function on ASCII (failure links folded in), so that scanning ASCII
   * text is one table read per character. Columns are the ASCII characters the patterns use
   * (`classOf`), plus column 0 for every other character; null when the table would be too big.
   */
  private readonly dfa: Int32Array | null;
  private readonly classOf = new Uint8Array(128);
  private width = 1;

  constructor(patterns: readonly string[]) {
    patterns.forEach((p, id) => {
      let cur = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let nxt = this.nodes[cur]!.next.get(c);
        if (nxt === undefined) {
          nxt = this.nodes.length;
          this.nodes.push({ next: new Map(), fail: 0, out: [] });
          this.nodes[cur]!.next.set(c, nxt);
        }
        cur = nxt;
      }
      this.nodes[cur]!.out.push(id);
    });
    // Breadth-first: a node's failure link is the longest proper suffix that is also a prefix.
    const queue: number[] = [];
    for (const child of this.nodes[0]!.next.values()) queue.push(child);
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q]!;
      for (const [c, v] of this.nodes[u]!.next) {
        let f = this.nodes[u]!.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(c)) f = this.nodes[f]!.fail;
        const target = this.nodes[f]!.next.get(c);
        this.nodes[v]!.fail = target !== undefined && target !== v ? target : 0;
        const fo = this.nodes[this.nodes[v]!.fail]!.out;
        if (fo.length) this.nodes[v]!.out = this.nodes[v]!.out.concat(fo);
        queue.push(v);
      }
    }
    for (const [c, v] of this.nodes[0]!.next) if (c < 128) this.rootAscii[c] = v;
    for (const p of patterns) for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 128 && this.classOf[c] === 0) this.classOf[c] = this.width++;
    }
    this.dfa = this.nodes.length * this.width <= DFA_MAX_CELLS ? this.buildDfa(queue) : null;
  }

  private buildDfa(bfsOrder: number[]): Int32Array {
    const w = this.width;
    const dfa = new Int32Array(this.nodes.length * w);
    const chars: number[] = [];
    for (let c = 0; c < 128; c++) if (this.classOf[c] !== 0) chars.push(c);
    for (const c of chars) dfa[this.classOf[c]!] = this.rootAscii[c]!;
    // In breadth-first order a node's failure target is complete before the node itself.
    for (const u of bfsOrder) {
      const row = u * w;
      const failRow = this.nodes[u]!.fail * w;
      for (const c of chars) {
        const k = this.classOf[c]!;
        dfa[row + k] = this.nodes[u]!.next.get(c) ?? dfa[failRow + k]!;
      }
    }
    return dfa;
  }

  /** Calls `hit` with the id of every pattern occurring in `text` (possibly more than once). */
  scan(text: string, hit: (id: number) => void): void {
    const nodes = this.nodes;
    const rootAscii = this.rootAscii;
    const dfa = this.dfa;
    const classOf = this.classOf;
    const width = this.width;
    let cur = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (dfa !== null && c < 128) {
        cur = dfa[cur * width + classOf[c]!]!;
        const out = nodes[cur]!.out;
        for (let k = 0; k < out.length; k++) hit(out[k]!);
        continue;
      }
      if (cur === 0 && c < 128) {
        cur = rootAscii[c]!;
        if (cur !== 0) {
          const out = nodes[cur]!.out;
          for (let k = 0; k < out.length; k++) hit(out[k]!);
        }
        continue;
      }
      let nxt = nodes[cur]!.next.get(c);
      while (nxt === undefined && cur !== 0) {
        cur = nodes[cur]!.fail;
        nxt = nodes[cur]!.next.get(c);
      }
      cur = nxt ?? 0;
      const out = nodes[cur]!.out;
      for (let k = 0; k < out.length; k++) hit(out[k]!);
    }
  }
}
