// What differs between the SQL dialects Quarry renders (DuckDB, PostgreSQL, ClickHouse): one small
// description per dialect, read by the one renderer (../render-expr.ts). Each function returns a SQL
// expression over already-rendered operands; what a dialect cannot say exactly throws a
// ConversionError with the reason.
import type { SigmaCidr } from '../../../ir/values.js';

export interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

export interface SqlDialect {
  /** The `--target` name and the product's name for messages. */
  target: string;
  product: string;
  ident(name: string): string;
  string(text: string): string;
  /** Boolean constants. */
  true: string;
  false: string;
  /** Lower-casing for the case-insensitive comparisons (the engine lower-cases both sides). */
  lower(x: string): string;
  startsWith(x: string, y: string): string;
  endsWith(x: string, y: string): string;
  contains(x: string, y: string): string;
  /** `x LIKE pattern`, the pattern written with `\` escaping `%`, `_` and `\` (see likePattern). */
  like(x: string, pattern: string): string;
  /** An unanchored search of an RE2-flavoured pattern (Sigma's `re`, already checked by re2Problem). */
  regex(x: string, pattern: string, flags: RegexFlags, where: string): string;
  /**
   * `x` as a number when its text is a number for the engine (event-access.ts NUMERIC), else NULL,
   * never an error: compared with `=`, `<` … against a numeric literal.
   */
  number(x: string): string;
  /**
   * `x` (an IPv4/IPv6 text, possibly padded) inside one of the networks (the `|cidr` values of one
   * field, read once); `keyword`: x is a value of the every-column search.
   */
  cidr(x: string, nets: readonly SigmaCidr[], where: string, keyword: boolean): string;
  /** True for a row when `pred(v)` holds for some column value `v` of the row (keyword search). */
  anyColumn(table: string, pred: (v: string) => string): string;
  /** `e IS NOT TRUE`: NULL counts as false before the negation, as in the engine. */
  isNotTrue(e: string): string;
  /** Correlations (../render-correlation.ts); absent when the dialect does not convert them. */
  correlation?: CorrelationDialect;
}

/** How a dialect measures the window of a correlation that ends at each event. */
export interface CorrelationDialect {
  /**
   * The text of an ISO 8601 time as the dialect's time value, NULL (never an error) when it is not
   * one: a timestamp for `frame`, epoch milliseconds (an integer) for `join`.
   */
  time(x: string): string;
  /**
   * `frame`: a window function per row over `RANGE BETWEEN INTERVAL … PRECEDING AND CURRENT ROW`,
   * in common table expressions. `join`: for a dialect without window functions or WITH queries
   * (ClickHouse 18.16), each distinct end (group, time) joined with its group's rows and the rows
   * inside the timespan kept, in nested subqueries.
   */
  windows: 'frame' | 'join';
  /** Whether the measure may be `count(DISTINCT …)` there (value_count). */
  distinct: boolean;
}
