// Parameter shapes of transformations and conditions, declared as data and checked in one place, so
// that a pipeline file and a pipeline built in code get the same errors.
import type { DiagnosticCode } from '../sigma/diagnostics.js';

export type ParamShape =
  | 'string'
  | 'bool'
  | 'int'
  /** string, number or boolean */
  | 'scalar'
  /** a string or a list of strings */
  | 'strings'
  /** field name → field name or list of field names */
  | 'field-map'
  /** `field|modifiers` → scalar or list of scalars (the value syntax of detection items) */
  | 'value-map'
  | 'any';

export interface ParamSpec {
  shape: ParamShape;
  required?: boolean;
  /** Allowed values of a string parameter. */
  oneOf?: readonly string[];
}
export type ParamSpecs = Record<string, ParamSpec>;

export interface ParamProblem {
  /** The parameter at fault (its position is used), or none for the item as a whole. */
  param?: string;
  code: Extract<DiagnosticCode, 'invalid-parameter' | 'missing-parameter' | 'unknown-parameter'>;
  message: string;
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function shapeError(v: unknown, spec: ParamSpec): string | null {
  switch (spec.shape) {
    case 'string':
      if (typeof v !== 'string') return 'must be a string';
      if (spec.oneOf && !spec.oneOf.includes(v)) return `must be one of ${spec.oneOf.map((o) => `'${o}'`).join(', ')}, not '${v}'`;
      return null;
    case 'bool':
      return typeof v === 'boolean' ? null : 'must be true or false';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? null : 'must be an integer';
    case 'scalar':
      return isScalar(v) ? null : 'must be a string, number or boolean';
    case 'strings':
      return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')) ? null : 'must be a string or a list of strings';
    case 'field-map':
      if (!isMap(v)) return 'must be a map of field names';
      for (const [k, t] of Object.entries(v)) {
        if (!(typeof t === 'string' || (Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === 'string')))) return `maps '${k}' to neither a field name nor a non-empty list of field names`;
      }
      return null;
    case 'value-map':
      if (!isMap(v) || Object.keys(v).length === 0) return 'must be a non-empty map of fields to values';
      for (const [k, t] of Object.entries(v)) {
        if (!(t === null || isScalar(t) || (Array.isArray(t) && t.length > 0 && t.every((x) => x === null || isScalar(x))))) return `gives '${k}' a value that is neither a scalar nor a non-empty list of scalars`;
      }
      return null;
    case 'any':
      return null;
  }
}

/** Checks parameters against their specs: unknown, missing and misshapen ones. */
export function checkParams(params: Record<string, unknown>, specs: ParamSpecs, what: string): ParamProblem[] {
  const out: ParamProblem[] = [];
  for (const [name, value] of Object.entries(params)) {
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs);
      out.push({ param: name, code: 'unknown-parameter', message: `${what} has no parameter '${name}'${known.length ? ` (it takes ${known.map((k) => `'${k}'`).join(', ')})` : ' (it takes none)'}` });
      continue;
    }
    const err = shapeError(value, spec);
    if (err) out.push({ param: name, code: 'invalid-parameter', message: `${what}: '${name}' ${err}` });
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && !(name in params)) out.push({ code: 'missing-parameter', message: `${what} needs the parameter '${name}'` });
  }
  return out;
}

export function asStringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/**
 * Compiles a pipeline's (Python-flavoured) regular expression for JavaScript: `(?P<name>` and
 * `(?P=name)` become their JavaScript spellings. Pipelines are the operator's configuration, not
 * third-party rule text, so the built-in engine is used.
 */
export function compilePattern(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let re = patternCache.get(key);
  if (!re) {
    re = new RegExp(pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), flags);
    patternCache.set(key, re);
  }
  return re;
}
const patternCache = new Map<string, RegExp>();

export function patternProblem(param: string, pattern: unknown): ParamProblem[] {
  if (typeof pattern !== 'string') return [];
  try {
    compilePattern(pattern);
    return [];
  } catch (e) {
    return [{ param, code: 'invalid-parameter', message: `'${param}' is not a valid regular expression: ${(e as Error).message}` }];
  }
}
