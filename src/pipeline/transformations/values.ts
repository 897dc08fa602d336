// Value transformations: replace_string, map_string, and whole-item ones (drop, failure).
import type { DetectionItem } from '../../sigma/model.js';
import { normalizeParts, parseSigmaString, sigmaStringToText, type SigmaString, type SigmaValue, type StringPart } from '../../sigma/values.js';
import { compilePattern, patternProblem } from '../params.js';
import { allGroups, copyItem, markApplied, rewriteItems, type Replacement, type Step } from '../run.js';
import type { Params, TransformationSpec } from './spec.js';

/**
 * Rewrites the values of every item the processing item selects. `fn` returns the replacement
 * values of one value, or null to keep it. One value that becomes several is an OR of them, also
 * inside an `|all` item (there it becomes an AND of one-value items and an OR item).
 */
export function transformValues(step: Step, fn: (v: SigmaValue, d: DetectionItem) => SigmaValue[] | null): void {
  for (const g of allGroups(step.run)) {
    rewriteItems(g, (d): Replacement => {
      if (!step.matchDetectionItem(d)) return undefined;
      const results = d.values.map((v) => fn(v, d));
      if (results.every((r) => r === null)) return undefined;
      if (d.link === 'and' && results.some((r) => r !== null && r.length > 1)) {
        const kept: SigmaValue[] = [];
        const parts: DetectionItem[] = [];
        d.values.forEach((v, i) => {
          const r = results[i] ?? [v];
          if (r.length === 1) kept.push(r[0]!);
          else parts.push(copyItem(step.run, d, { values: r, link: 'or' }));
        });
        if (kept.length) parts.unshift(copyItem(step.run, d, { values: kept, link: kept.length > 1 ? 'and' : 'or' }));
        for (const p of parts) markApplied(step.run, p, step.id);
        return { link: 'and', children: parts, pos: d.pos };
      }
      const c = copyItem(step.run, d, { values: d.values.flatMap((v, i) => results[i] ?? [v]) });
      markApplied(step.run, c, step.id);
      return c;
    });
  }
}

/** Python's `\1` and `\g<name>` in a replacement, in JavaScript's `$` syntax. */
function jsReplacement(r: string): string {
  return r.replace(/\$/g, '$$$$').replace(/\\g<(\w+)>/g, (_m, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`)).replace(/\\(\d+)/g, '$$$1');
}

/**
 * Applies the regular expression to each literal part of a string; wildcards and placeholders stay.
 * With `interpret_special`, `*` and `?` in a replaced part become wildcards.
 */
function replaceInString(s: SigmaString, re: RegExp, replacement: string, interpret: boolean): SigmaString | null {
  let changed = false;
  const parts: StringPart[] = s.parts.flatMap((p): StringPart[] => {
    if (typeof p !== 'string') return [p];
    re.lastIndex = 0;
    const r = p.replace(re, replacement);
    if (r === p) return [p];
    changed = true;
    return interpret ? parseSigmaString(r).parts : [r];
  });
  return changed ? { ...s, parts: normalizeParts(parts) } : null;
}

export const replaceString: TransformationSpec = {
  params: {
    regex: { shape: 'string', required: true },
    replacement: { shape: 'string', required: true },
    skip_special: { shape: 'bool' },
    interpret_special: { shape: 'bool' },
  },
  check: (p) => patternProblem('regex', p.regex),
  apply(step, p: Params) {
    const re = compilePattern(String(p.regex), 'g');
    const replacement = jsReplacement(String(p.replacement));
    const interpret = p.interpret_special === true;
    transformValues(step, (v) => {
      if (v.type === 'string') {
        const r = replaceInString(v, re, replacement, interpret);
        return r ? [r] : null;
      }
      if (v.type === 'number') {
        const r = replaceInString({ type: 'string', parts: [v.text], encoding: 'text' }, re, replacement, interpret);
        return r ? [r] : null;
      }
      return null;
    });
  },
};

export const mapString: TransformationSpec = {
  params: { mapping: { shape: 'field-map', required: true } },
  apply(step, p: Params) {
    const mapping = p.mapping as Record<string, string | string[]>;
    transformValues(step, (v) => {
      if (v.type !== 'string') return null;
      const key = sigmaStringToText(v);
      if (!Object.hasOwn(mapping, key)) return null;
      const to = mapping[key]!;
      return (Array.isArray(to) ? to : [to]).map((t) => parseSigmaString(t));
    });
  },
};

export const dropDetectionItem: TransformationSpec = {
  params: {},
  apply(step) {
    for (const g of allGroups(step.run)) rewriteItems(g, (d) => (step.matchDetectionItem(d) ? null : undefined));
  },
};

export const detectionItemFailure: TransformationSpec = {
  params: { message: { shape: 'string', required: true } },
  apply(step, p: Params) {
    for (const g of allGroups(step.run)) {
      rewriteItems(g, (d) => {
        if (step.matchDetectionItem(d)) step.fail(`${String(p.message)} (field ${d.field ?? 'keywords'}, line ${d.pos.line})`);
        return undefined;
      });
    }
  },
};
