// Placeholders (`%name%` in values with the `expand` modifier): filled from the pipeline's vars, or
// replaced by a wildcard. Several values for one placeholder mean an OR of the variants.
import { STAR, isPlaceholder, normalizeParts, parseSigmaString, type SigmaString, type StringPart } from '../../sigma/values.js';
import type { ParamProblem } from '../params.js';
import type { Step } from '../run.js';
import { transformValues } from './values.js';
import type { Params, TransformationSpec } from './spec.js';

/** More variants than this in one value is a configuration mistake, reported rather than built. */
const MAX_VARIANTS = 10_000;

const SELECT_PARAMS = { include: { shape: 'strings' }, exclude: { shape: 'strings' } } as const;
function checkSelect(p: Params): ParamProblem[] {
  return p.include !== undefined && p.exclude !== undefined ? [{ param: 'exclude', code: 'invalid-parameter', message: "'include' and 'exclude' cannot be used together" }] : [];
}
function handles(p: Params, name: string): boolean {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : [String(v)]);
  if (p.include !== undefined) return list(p.include).includes(name);
  if (p.exclude !== undefined) return !list(p.exclude).includes(name);
  return true;
}

/**
 * Expands the placeholders of a string that `replace` knows (it returns their variants, or null to
 * leave one in place). Returns null when nothing was replaced.
 */
function expand(s: SigmaString, replace: (name: string) => StringPart[][] | null, step: Step): SigmaString[] | null {
  let variants: StringPart[][] = [[]];
  let changed = false;
  for (const part of s.parts) {
    const options = isPlaceholder(part) ? replace(part.placeholder) : null;
    if (!options) {
      variants = variants.map((v) => [...v, part]);
      continue;
    }
    changed = true;
    if (variants.length * options.length > MAX_VARIANTS) {
      step.fail(`placeholder %${(part as { placeholder: string }).placeholder}% would expand one value into more than ${MAX_VARIANTS} variants`);
      return null;
    }
    variants = variants.flatMap((v) => options.map((o) => [...v, ...o]));
  }
  return changed ? variants.map((parts) => ({ ...s, parts: normalizeParts(parts) })) : null;
}

export const valuePlaceholders: TransformationSpec = {
  params: SELECT_PARAMS,
  check: checkSelect,
  apply(step, p: Params) {
    const vars = step.pipeline.vars;
    // A placeholder without values stays; it is reported once all pipelines ran.
    const replace = (name: string) => (handles(p, name) && Object.hasOwn(vars, name) && vars[name]!.length ? vars[name]!.map((v) => parseSigmaString(v).parts) : null);
    transformValues(step, (v) => (v.type === 'string' ? expand(v, replace, step) : null));
  },
};

export const wildcardPlaceholders: TransformationSpec = {
  params: SELECT_PARAMS,
  check: checkSelect,
  apply(step, p: Params) {
    const replace = (name: string) => (handles(p, name) ? [[STAR]] : null);
    transformValues(step, (v) => (v.type === 'string' ? expand(v, replace, step) : null));
  },
};
