// Aho–Corasick: finds, in one pass over a text, every one of many literal patterns it contains.
// Used by the prefilter to tell which rules' required literals occur in an event.

interface Node {
  next: Map<number, number>;
  fail: number;
  /** Pattern ids ending here, including those reached through failure links. */
  out: number[];
}

export class AhoCorasick {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];

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
  }

  /** Calls `hit` with the id of every pattern occurring in `text` (possibly more than once). */
  scan(text: string, hit: (id: number) => void): void {
    const nodes = this.nodes;
    let cur = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
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
