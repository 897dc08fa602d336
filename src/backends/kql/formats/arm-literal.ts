// ARM templates read a string that starts with `[` and ends with `]` as a template expression and
// evaluate it at deployment; `[[` at its start makes it a literal again (the first `[` is dropped).
// A string that does not end with `]` is never an expression, and doubling its `[` would keep both
// brackets, so only the strings that would be read as expressions are escaped. Rule titles,
// descriptions and queries are third-party text: none may become an expression.

/** A literal string as an ARM template must write it. */
export function armString(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? '[' + s : s;
}

/** A JSON value with every string in it (array items and object values) written as an ARM literal. */
export function armLiterals<T>(value: T): T {
  if (typeof value === 'string') return armString(value) as T;
  if (Array.isArray(value)) return value.map(armLiterals) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, armLiterals(v)])) as T;
  return value;
}
