// The differential's cases: for each Windows rule, its generated logical events, each in every shape
// the Windows pipelines give it, with the oracle's answer. The oracle is the engine running the rule
// without pipeline (its own meaning) on the logical event plus the log-source fields of the shape
// (Channel, EventID), so that a rule which itself reads those fields is judged on what it sees.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SigmaRule } from '../../src/sigma/model.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import type { ProcessingPipeline } from '../../src/pipeline/types.js';
import { builtinPipeline } from '../../src/pipeline/builtin.js';
import { targetPipelineChain } from '../../src/backends/targets.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import { compileRuleSet } from '../../src/engine/rule-set.js';
import { EventView, normalizeName, type EventObject } from '../../src/engine/event-access.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { DATA } from '../helpers.js';
import { ruleFields } from '../backends/sql-differential.js';
import { DEFAULT_GENERATE, generateEvents, type GeneratedEvents, type GenerateOptions, type LogicalEvent } from './generate-events.js';
import { logsourceKey, Shaper } from './shape.js';
import { ecsTypeProblem } from './ecs-values.js';

export const SIGMAHQ = join(DATA, 'sigmahq');

/** The corpus folders: every `rules*` folder of SigmaHQ. */
export function corpusDirs(): string[] {
  return readdirSync(SIGMAHQ)
    .filter((f) => f.startsWith('rules'))
    .sort()
    .map((f) => join(SIGMAHQ, f));
}

export const WINDOWS: readonly ProcessingPipeline[] = [builtinPipeline('windows')!];
/** The chain the Elastic targets convert with (windows, then ecs-windows). */
export const ECS_WINDOWS: readonly ProcessingPipeline[] = targetPipelineChain('lucene', 'ecs-windows');

export interface ShapedEvent {
  logical: LogicalEvent;
  shape: number;
  /** The oracle's answer for this shape. */
  expected: boolean;
  /** For the engine through `windows`, DuckDB and PostgreSQL. */
  windows: EventObject;
  /** For the Lucene, ES|QL and EQL evaluators, or why the event has no ECS shape. */
  ecs: EventObject | string;
}

export interface RuleCase {
  rule: SigmaRule;
  /** The log source (product/category/service): SQL tables are per log source. */
  group: string;
  generated: GeneratedEvents;
  events: ShapedEvent[];
  /** The fields the rule reads after the windows pipeline (guard included): SQL columns. */
  windowsFields: string[];
}

export interface Corpus {
  /** Every rule of the folders, and the Windows ones among them. */
  rules: number;
  windowsRules: SigmaRule[];
  cases: RuleCase[];
  /** Windows rules the oracle cannot run (placeholders, …), with the reason. */
  notRunnable: Array<{ file: string; reason: string }>;
  /** Shaped events left out, by reason. */
  shapeSkipped: Map<string, number>;
  /** Shaped events with no ECS form (not compared on the Elastic targets), by reason. */
  ecsSkipped: Map<string, number>;
}

export interface CorpusOptions extends GenerateOptions {
  /** Only rules whose file passes (the pin test takes a few). */
  select?: (rule: SigmaRule) => boolean;
}

export function loadWindowsRules(): { all: number; windows: SigmaRule[] } {
  const col = loadSigmaPaths(corpusDirs());
  return { all: col.rules.length, windows: col.rules.filter((r) => r.logsource.product === 'windows') };
}

export function buildCorpus(all: number, windowsRules: readonly SigmaRule[], opts: CorpusOptions = DEFAULT_GENERATE): Corpus {
  const windows = new Shaper('windows', WINDOWS);
  const ecs = new Shaper('ecs-windows', ECS_WINDOWS);
  const out: Corpus = { rules: all, windowsRules: [...windowsRules], cases: [], notRunnable: [], shapeSkipped: new Map(), ecsSkipped: new Map() };
  const skip = (reason: string) => out.shapeSkipped.set(reason, (out.shapeSkipped.get(reason) ?? 0) + 1);
  for (const rule of windowsRules) {
    if (opts.select && !opts.select(rule)) continue;
    const own = ruleToIR(rule, { pipelines: [] }).ir;
    const set = compileRuleSet([own], { regex: re2Regex });
    if (!set.rules.length) {
      out.notRunnable.push({ file: rule.file, reason: set.notRunnable[0]!.reason });
      continue;
    }
    const oracle = set.rules[0]!.detection;
    const generated = generateEvents(own.detection, oracle, opts);
    const c: RuleCase = { rule, group: logsourceKey(rule.logsource), generated, events: [], windowsFields: ruleFields(ruleToIR(rule, { pipelines: WINDOWS }).ir) };
    for (const logical of generated.events) {
      const fields = Object.keys(logical.event);
      const shapes = Math.max(windows.shapeCount(rule, fields), ecs.shapeCount(rule, fields));
      for (let k = 0; k < shapes; k++) {
        const w = windows.shape(rule, logical.event, k);
        if (typeof w === 'string') {
          skip(w.replace(/^\S+ and another field/, 'two fields'));
          continue;
        }
        const seen = { ...overlay(windows.guardFields(rule, k), logical.event) };
        const e = ecs.shape(rule, logical.event, k);
        const problem = typeof e === 'string' ? e : ecsTypeProblem(e);
        if (problem) out.ecsSkipped.set(problem, (out.ecsSkipped.get(problem) ?? 0) + 1);
        c.events.push({ logical, shape: k, expected: oracle(new EventView(seen)), windows: w, ecs: problem ?? e });
      }
    }
    out.cases.push(c);
  }
  return out;
}

/** `base` with `top`'s fields over it, a field of another spelling (case, spaces) replaced. */
function overlay(base: EventObject, top: EventObject): EventObject {
  const out = { ...base };
  for (const [k, v] of Object.entries(top)) {
    for (const b of Object.keys(out)) if (normalizeName(b) === normalizeName(k)) delete out[b];
    out[k] = v;
  }
  return out;
}
