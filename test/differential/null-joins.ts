// Reading a query's text for how two names' missing-field tests are joined, whatever the target's
// syntax: a piece of text P around name A, a joiner, then the same piece with A replaced by B
// (`isempty(Image) and isempty(NewProcessName)`, `NOT Image=* NOT NewProcessName=*`). Pieces with a
// quoted value are tests of a value (`Image endswith "x" or NewProcessName endswith "x"`, rightly
// ORed), not missing-field tests, and are skipped.

/** Joiners and what they mean; SPL joins search terms by AND with a space. */
const JOINERS: Array<[string, 'and' | 'or']> = [
  [' and ', 'and'],
  [' AND ', 'and'],
  [' or ', 'or'],
  [' OR ', 'or'],
  [' ', 'and'],
];

/** How each pair of missing-field tests of `a` and `b` in the query is joined, in order of appearance. */
export function nullTestJoins(query: string, a: string, b: string): Array<'and' | 'or'> {
  const out: Array<'and' | 'or'> = [];
  for (let i = query.indexOf(a); i >= 0; i = query.indexOf(a, i + 1)) {
    const found = pieceAt(query, i, a, b);
    if (found) out.push(found);
  }
  return out;
}

function pieceAt(q: string, i: number, a: string, b: string): 'and' | 'or' | null {
  // The name must stand alone (not `ParentImage` when looking for `Image`).
  if (/\w/.test(q[i - 1] ?? '') || /\w/.test(q[i + a.length] ?? '')) return null;
  for (let s = i; s >= Math.max(0, i - 24); s--) {
    for (let e = i + a.length; e <= Math.min(q.length, i + a.length + 24); e++) {
      const piece = q.slice(s, e);
      if (piece.includes('"')) continue;
      const twin = piece.slice(0, i - s) + b + piece.slice(i - s + a.length);
      for (const [j, meaning] of JOINERS) if (q.startsWith(j + twin, e) && !/\w/.test(q[e + j.length + twin.length] ?? '')) return meaning;
    }
  }
  return null;
}
