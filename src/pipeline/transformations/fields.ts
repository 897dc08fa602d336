// Field name transformations: mapping (one name or alternatives), prefix mapping, prefix, suffix,
// and the rule's `fields` list. A field mapped to several names becomes a group of alternatives: copies
// of its item, which lowering combines as the one logical field they stand for.
import type { DetectionItem } from '../../sigma/model.js';
import type { SigmaValue } from '../../sigma/values.js';
import { allGroups, copyItem, markApplied, rewriteItems, type Step } from '../run.js';
import type { Params, TransformationSpec } from './spec.js';

/** Maps a field name to its new names, or null when the transformation leaves it alone. */
type FieldFn = (field: string) => string[] | null;

function noteField(step: Step, names: string[]): void {
  for (const n of names) {
    const applied = (step.run.fieldApplied ??= new Map());
    let s = applied.get(n);
    if (!s) applied.set(n, (s = new Set()));
    s.add(step.id);
  }
}

/** The new names of a field if the transformation maps it and the field name conditions allow it. */
function mapped(step: Step, fn: FieldFn, field: string | null): string[] | null {
  if (field === null) return null;
  const names = fn(field);
  if (!names || !step.matchFieldName(field)) return null;
  noteField(step, names);
  return names;
}

export function mapFieldNames(step: Step, fn: FieldFn): void {
  const rule = step.run.rule;
  rule.fields = rule.fields.flatMap((f) => mapped(step, fn, f) ?? [f]);
  for (const g of allGroups(step.run)) {
    rewriteItems(g, (d) => {
      if (!step.matchDetectionItem(d)) return undefined;
      let changed = false;
      // Field references are rare: most items keep their values array as it is.
      const values: SigmaValue[] = !hasFieldRef(d.values) ? d.values : d.values.flatMap((v): SigmaValue[] => {
        if (v.type !== 'fieldref') return [v];
        const names = mapped(step, fn, v.field);
        if (!names) return [v];
        changed = true;
        return names.map((field) => ({ ...v, field }));
      });
      const names = mapped(step, fn, d.field);
      if (!names && !changed) return undefined;
      const base: DetectionItem = changed ? copyItem(step.run, d, { values }) : d;
      if (!names || names.length === 0) {
        markApplied(step.run, base, step.id);
        return base;
      }
      if (names.length === 1) {
        const one = copyItem(step.run, base, { field: names[0]! });
        markApplied(step.run, one, step.id);
        return one;
      }
      const copies = names.map((field) => {
        const c = copyItem(step.run, base, { field });
        markApplied(step.run, c, step.id);
        return c;
      });
      return { link: 'or', children: copies, pos: d.pos, alternatives: true };
    });
  }
}

/** A loop, not `some` with a callback: it runs over every value of every item a mapping meets. */
function hasFieldRef(values: readonly SigmaValue[]): boolean {
  for (let i = 0; i < values.length; i++) if (values[i]!.type === 'fieldref') return true;
  return false;
}

const asList = (t: unknown): string[] => (Array.isArray(t) ? t.map(String) : [String(t)]);

export const fieldNameMapping: TransformationSpec = {
  params: { mapping: { shape: 'field-map', required: true } },
  apply(step, p: Params) {
    const mapping = p.mapping as Record<string, string | string[]>;
    mapFieldNames(step, (f) => {
      if (Object.hasOwn(mapping, f)) return asList(mapping[f]);
      // A derived host field (`cs-host@tld`) follows its source field: `host@tld` when cs-host maps to host.
      const at = f.lastIndexOf('@');
      if (at > 0 && Object.hasOwn(mapping, f.slice(0, at))) return asList(mapping[f.slice(0, at)]).map((to) => to + f.slice(at));
      return null;
    });
  },
};

export const fieldNamePrefixMapping: TransformationSpec = {
  params: { mapping: { shape: 'field-map', required: true } },
  apply(step, p: Params) {
    const entries = Object.entries(p.mapping as Record<string, string | string[]>);
    mapFieldNames(step, (f) => {
      const hit = entries.find(([prefix]) => f.startsWith(prefix));
      return hit ? asList(hit[1]).map((to) => to + f.slice(hit[0].length)) : null;
    });
  },
};

export const fieldNamePrefix: TransformationSpec = {
  params: { prefix: { shape: 'string', required: true } },
  apply: (step, p: Params) => mapFieldNames(step, (f) => [String(p.prefix) + f]),
};

export const fieldNameSuffix: TransformationSpec = {
  params: { suffix: { shape: 'string', required: true } },
  apply: (step, p: Params) => mapFieldNames(step, (f) => [f + String(p.suffix)]),
};

export const addField: TransformationSpec = {
  params: { field: { shape: 'strings', required: true } },
  apply: (step, p: Params) => void step.run.rule.fields.push(...asList(p.field)),
};

export const removeField: TransformationSpec = {
  params: { field: { shape: 'strings', required: true } },
  apply(step, p: Params) {
    const drop = new Set(asList(p.field));
    step.run.rule.fields = step.run.rule.fields.filter((f) => !drop.has(f));
  },
};

export const setField: TransformationSpec = {
  params: { fields: { shape: 'strings', required: true } },
  apply: (step, p: Params) => void (step.run.rule.fields = asList(p.fields)),
};
