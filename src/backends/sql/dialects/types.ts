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
  /**
   * Correlations: the text of an ISO 8601 time as a timestamp, NULL (never an error) when it is not
   * one; absent when the dialect does not convert correlations.
   */
  time?(x: string): string;
  /** Correlations: whether `count(DISTINCT …) OVER (… RANGE …)` exists (value_count). */
  windowDistinct?: boolean;
}
