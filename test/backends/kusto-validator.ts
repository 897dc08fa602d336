// Microsoft's Kusto parser and analyzer (@kusto/language-service-next), headless in Node, with the
// table schemas of ../shared/data/kusto-schemas loaded as a database: diagnostics for a query.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA } from '../helpers.js';

interface KustoDiagnostic {
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
  const doc = JSON.parse(readFileSync(join(DATA, 'kusto-schemas/tables.json'), 'utf8')) as { tables: Record<string, { columns: Array<[string, string]> }> };
  const schema = (cols: Array<[string, string]>) => '(' + cols.map(([n, t]) => `['${n}']:${t}`).join(', ') + ')';
  const tables = Object.entries(doc.tables).map(([name, t]) => new K.Symbols.TableSymbol.$ctor7(name, schema(t.columns), null));
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
