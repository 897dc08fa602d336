// The Kusto table schemas the KQL backend renders against (schemas/tables.json, embedded).
import { KQL_TABLE_COLUMNS } from './schema-data.js';

export type KustoType = 'string' | 'int' | 'long' | 'real' | 'bool' | 'datetime' | 'dynamic' | 'guid' | 'timespan' | 'decimal';

const cache = new Map<string, ReadonlyMap<string, KustoType>>();

/** A table's columns and their types, or null for a table the schemas do not know. */
export function tableColumns(table: string): ReadonlyMap<string, KustoType> | null {
  const hit = cache.get(table);
  if (hit) return hit;
  if (!Object.hasOwn(KQL_TABLE_COLUMNS, table)) return null;
  const cols = new Map<string, KustoType>();
  for (const entry of KQL_TABLE_COLUMNS[table]!.split(',')) {
    const i = entry.lastIndexOf(':');
    cols.set(entry.slice(0, i), entry.slice(i + 1) as KustoType);
  }
  cache.set(table, cols);
  return cols;
}

export function knownTables(): string[] {
  return Object.keys(KQL_TABLE_COLUMNS).sort();
}

export const isNumericType = (t: KustoType): boolean => t === 'int' || t === 'long' || t === 'real' || t === 'decimal';
