// Long OR/AND chains (SigmaHQ's emoji rules have over a thousand values) are parenthesised in
// groups, so that the expression depth stays far below what query parsers accept (Kusto's analyzer
// gives up at a few hundred binary operators, KS245; DuckDB has max_expression_depth). Short chains
// stay flat.
const CHUNK = 64;

export function chunked(parts: string[], sep: string): string {
  if (parts.length <= CHUNK) return parts.join(sep);
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += CHUNK) groups.push(`(${parts.slice(i, i + CHUNK).join(sep)})`);
  return chunked(groups, sep);
}
