// Rule-level transformations: log source, failure, pipeline state, custom attributes.
import { setPlain } from '../../sigma/yaml-tree.js';
import type { Params, TransformationSpec } from './spec.js';

export const changeLogsource: TransformationSpec = {
  params: { category: { shape: 'string' }, product: { shape: 'string' }, service: { shape: 'string' } },
  apply(step, p: Params) {
    // As in pySigma, the new log source replaces the old one entirely.
    const ls: { category?: string; product?: string; service?: string } = {};
    for (const k of ['category', 'product', 'service'] as const) if (typeof p[k] === 'string') ls[k] = p[k];
    step.run.rule.logsource = ls;
  },
};

export const ruleFailure: TransformationSpec = {
  keepsRule: true,
  params: { message: { shape: 'string', required: true } },
  apply: (step, p: Params) => step.fail(String(p.message)),
};

export const setState: TransformationSpec = {
  keepsRule: true,
  params: { key: { shape: 'string', required: true }, val: { shape: 'any', required: true } },
  apply: (step, p: Params) => setPlain(step.run.state, String(p.key), p.val),
};

export const setCustomAttribute: TransformationSpec = {
  params: { attribute: { shape: 'string', required: true }, value: { shape: 'any', required: true } },
  apply: (step, p: Params) => setPlain(step.run.rule.custom, String(p.attribute), p.value),
};
