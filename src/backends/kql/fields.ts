// Where a Sigma field (after pipelines) lives in the target table: a column, a member of a dynamic
// column (WindowsEvent's EventData), or a <Data Name="…"> element of Windows event XML (Event's
// and SecurityEvent's EventData). Members and XML elements become derived columns, extended once
// per query. A field the table does not have is an error for the rule, never a guess.
import { ConversionError } from '../common/types.js';
import { kqlIdent, kqlMember } from './literals.js';
import { tableColumns, type KustoType } from './schema.js';

export interface FieldRef {
  /** The expression that reads the field. */
  expr: string;
  type: KustoType;
}

/** The bag that the XML extraction stage builds from EventData's <Data> elements. */
export const XML_BAG = '_EventData';

export class FieldScope {
  readonly columns: ReadonlyMap<string, KustoType>;
  /** Derived column name → the expression it is extended with, in order of first use. */
  readonly derived = new Map<string, string>();
  /** Name of the XML column whose <Data> elements are extracted, when any field needs it. */
  xmlColumn: string | null = null;
  private readonly byField = new Map<string, FieldRef>();
  private readonly derivedFields = new Set<string>();

  constructor(
    readonly table: string,
    private readonly fallback: string | null,
  ) {
    const cols = tableColumns(table);
    if (!cols) throw new ConversionError('unknown-table', `table '${table}' is not in the KQL table schemas`);
    this.columns = cols;
  }

  /** Whether the field is read through a derived column (resolving it, so errors surface here). */
  isDerived(field: string): boolean {
    this.resolve(field);
    return this.derivedFields.has(field);
  }

  resolve(field: string): FieldRef {
    let ref = this.byField.get(field);
    if (!ref) this.byField.set(field, (ref = this.lookup(field)));
    return ref;
  }

  private lookup(field: string): FieldRef {
    const type = this.columns.get(field);
    if (type) return { expr: kqlIdent(field), type };
    const dot = field.indexOf('.');
    if (dot > 0) {
      const head = field.slice(0, dot);
      const headType = this.columns.get(head);
      if (headType) return this.member(head, headType, field.slice(dot + 1).split('.'), field);
    }
    if (this.fallback && this.columns.has(this.fallback)) return this.member(this.fallback, this.columns.get(this.fallback)!, [field], field);
    throw new ConversionError('unknown-field', `field '${field}' is not a column of ${this.table} (no pipeline mapped it to one)`);
  }

  private member(head: string, headType: KustoType, path: string[], field: string): FieldRef {
    let source: string;
    if (headType === 'dynamic') source = `tostring(${kqlIdent(head)}${path.map(kqlMember).join('')})`;
    else if (headType === 'string' && head === 'EventData' && path.length === 1) {
      // Windows event XML: <DataItem><EventData><Data Name="RemoteName">…</Data>…
      if (this.xmlColumn && this.xmlColumn !== head) throw new ConversionError('unknown-field', `two XML columns in one query (${this.xmlColumn}, ${head})`);
      this.xmlColumn = head;
      source = `tostring(${XML_BAG}${kqlMember(path[0]!)})`;
    } else throw new ConversionError('unknown-field', `field '${field}': column ${head} of ${this.table} is a ${headType}, which has no member '${path.join('.')}'`);
    const name = this.derivedName(path);
    this.derivedFields.add(field);
    this.derived.set(name, source);
    return { expr: kqlIdent(name), type: 'string' };
  }

  /** The member's own name, unless a column or another derived column already has it. */
  private derivedName(path: string[]): string {
    const base = path.join('_');
    const taken = (n: string) => this.columns.has(n) || this.derived.has(n) || n.startsWith('_');
    if (!taken(base)) return base;
    let name = `EventData_${base}`;
    for (let i = 2; taken(name); i++) name = `EventData_${base}_${i}`;
    return name;
  }
}
