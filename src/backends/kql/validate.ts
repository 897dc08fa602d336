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

/** Error diagnostics of a query: syntax, unknown names (KS142, KS204) and type errors. */
export function kustoErrors(query: string): KustoDiagnostic[] {
  const g = load();
  const K = (globalThis as any).Kusto.Language;
  const Bridge = (globalThis as any).Bridge;
  const code = K.KustoCode.ParseAndAnalyze(query, g);
  return (Bridge.toArray(code.GetDiagnostics()) as any[])
    .filter((d) => String(d.Severity) === 'Error')
    .map((d) => ({ code: String(d.Code), message: String(d.Message), start: Number(d.Start), length: Number(d.Length) }));
}

export function validateKql(query: string): QueryCheck {
  const errors = kustoErrors(query);
  return { validator: 'Kusto language service (parse and type-check against the shipped schemas)', ok: errors.length === 0, problems: errors.map((e) => `${e.code} at ${e.start}: ${e.message}`) };
}
