// Microsoft's Kusto parser and analyzer (@kusto/language-service-next), headless in Node, with the
// shipped table schemas loaded as a database: the error diagnostics of a query. The explorer shows
// them as each translation's validation status; the tests demand none over the whole corpus.
import { createRequire } from 'node:module';
import { knownTables, tableColumns } from './schema.js';
import type { QueryCheck } from '../common/types.js';

export interface KustoDiagnostic {
  code: string;
  message: string;
  start: number;
  length: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
let globals: any = null;

function load(): any {
  if (globals) return globals;
  const require = createRequire(import.meta.url);
  // The package is two Bridge.NET scripts that define globals (Bridge, Kusto).
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const K = (globalThis as any).Kusto.Language;
  const tables = knownTables().map((name) => {
    const schema = '(' + [...tableColumns(name)!].map(([n, t]) => `['${n}']:${t}`).join(', ') + ')';
    return new K.Symbols.TableSymbol.$ctor7(name, schema, null);
  });
  globals = K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.ctor('db', tables));
  return globals;
}

/** The analyzed code of a text, and its error diagnostics. */
function analyze(text: string): { code: any; errors: KustoDiagnostic[] } {
  const g = load();
  const K = (globalThis as any).Kusto.Language;
  const Bridge = (globalThis as any).Bridge;
  const code = K.KustoCode.ParseAndAnalyze(text, g);
  const errors = (Bridge.toArray(code.GetDiagnostics()) as any[])
    .filter((d) => String(d.Severity) === 'Error')
    .map((d) => ({ code: String(d.Code), message: String(d.Message), start: Number(d.Start), length: Number(d.Length) }));
  return { code, errors };
}

/** Error diagnostics of a query: syntax, unknown names (KS142, KS204) and type errors. */
export function kustoErrors(query: string): KustoDiagnostic[] {
  return analyze(query).errors;
}

const BATCH_SEPARATOR = '\n;\n';

/**
 * kustoErrors of many queries, in batches: KQL runs statements separated by `;` as one batch, and
 * the analyzer costs much less per query in a batch than alone. A batch stands for its queries only
 * when it has no errors and parsed as exactly one expression statement inside each query's span (so
 * no query declared a name for the next, and none swallowed its neighbour); otherwise each query of
 * the batch is analyzed alone, and its errors are exactly kustoErrors(query).
 */
export function kustoErrorsOfMany(queries: readonly string[], batchSize = 40): KustoDiagnostic[][] {
  const out: KustoDiagnostic[][] = [];
  for (let i = 0; i < queries.length; i += batchSize) {
    const batch = queries.slice(i, i + batchSize);
    const spans: Array<[number, number]> = [];
    let at = 0;
    for (const q of batch) {
      spans.push([at, at + q.length]);
      at += q.length + BATCH_SEPARATOR.length;
    }
    const { code, errors } = analyze(batch.join(BATCH_SEPARATOR));
    if (errors.length === 0 && oneStatementPerSpan(code, spans)) out.push(...batch.map(() => []));
    else out.push(...batch.map(kustoErrors));
  }
  return out;
}

function oneStatementPerSpan(code: any, spans: ReadonlyArray<[number, number]>): boolean {
  const K = (globalThis as any).Kusto.Language;
  const statements = code.Syntax.Statements;
  if (code.Syntax.Kind !== K.Syntax.SyntaxKind.QueryBlock || statements.Count !== spans.length) return false;
  return spans.every(([from, to], i) => {
    const s = statements.getItem(i).Element;
    return s.Kind === K.Syntax.SyntaxKind.ExpressionStatement && s.TextStart >= from && s.TextStart + s.Width <= to;
  });
}

export function validateKql(query: string): QueryCheck {
  const errors = kustoErrors(query);
  return { validator: 'Kusto language service (parse and type-check against the shipped schemas)', ok: errors.length === 0, problems: errors.map((e) => `${e.code} at ${e.start}: ${e.message}`) };
}
