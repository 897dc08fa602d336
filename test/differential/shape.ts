// Shaping a logical event (the rule's own field names) the way a pipeline chain expects its log
// source to look, read from the pipelines themselves so that nothing here can drift from them:
// - the log-source guard the chain adds (windows: Channel and EventID; ecs-windows: winlog.channel
//   and event.code) gives the fields every shaped event carries, and
// - each logical field is mapped through the chain as a one-item rule of the same log source, which
//   gives its names (`Image` → `Image` or `NewProcessName`; with ecs-windows `process.executable` or
//   `winlog.event_data.NewProcessName`).
// A chain that gives a field several names, or a guard several channels, has several shapes: shape k
// takes the k-th name and the k-th value of each guard field (the generator of windows.yml lists a
// category's channels and event ids in the same order as the names: Sysmon 1 / Image, Security
// 4688 / NewProcessName). Each shaped event is checked against the chain's compiled guard.
import type { ProcessingPipeline } from '../../src/pipeline/types.js';
import type { LogSource, SigmaRule } from '../../src/sigma/model.js';
import type { Expr } from '../../src/ir/types.js';
import { fieldTests } from '../../src/ir/lower.js';
import { ruleToIR } from '../../src/ir/rule-path.js';
import { compileExpr, type Predicate } from '../../src/engine/compile.js';
import { EventView, normalizeName, type EventObject } from '../../src/engine/event-access.js';
import { re2Regex } from '../../src/engine/regex-re2.js';
import { parseRule } from '../helpers.js';

const PROBE = 'quarry_probe';

interface GuardShape {
  /** Field → its values in the order the pipeline lists them. */
  values: Array<[string, unknown[]]>;
  check: Predicate;
}

export class Shaper {
  private readonly names = new Map<string, string[]>();
  private readonly guards = new Map<string, GuardShape | string>();

  constructor(
    readonly label: string,
    readonly chain: readonly ProcessingPipeline[],
  ) {}

  /** The names the chain gives `field` in rules of this log source (the field itself when it maps none). */
  namesOf(ls: LogSource, field: string): string[] {
    const key = `${logsourceKey(ls)}\0${field}`;
    let hit = this.names.get(key);
    if (!hit) {
      const rule = probeRule(ls, field);
      const tests = fieldTests(ruleToIR(rule, { pipelines: this.chain }).ir.detection).filter((t) => t.origin.selection === PROBE);
      hit = tests.length ? [...new Set(tests.map((t) => t.field!))] : [field];
      this.names.set(key, hit);
    }
    return hit;
  }

  /** The chain's guard for the rule's log source as values per field, or why it cannot be read. */
  guardOf(rule: SigmaRule): GuardShape | string {
    const key = logsourceKey(rule.logsource);
    let g = this.guards.get(key);
    if (g === undefined) {
      const guard = ruleToIR(rule, { pipelines: this.chain }).ir.guard;
      g = guard ? readGuard(guard) : 'the pipeline maps no log source guard';
      this.guards.set(key, g);
    }
    return g;
  }

  /** How many shapes the rule's events take under this chain (at least 1). */
  shapeCount(rule: SigmaRule, fields: Iterable<string>): number {
    const g = this.guardOf(rule);
    let n = typeof g === 'string' ? 1 : Math.max(1, ...g.values.map(([, v]) => v.length));
    for (const f of fields) n = Math.max(n, this.namesOf(rule.logsource, f).length);
    return n;
  }

  /** The guard fields of shape k, by the chain's names. */
  guardFields(rule: SigmaRule, k: number): EventObject {
    const g = this.guardOf(rule);
    if (typeof g === 'string') return {};
    return Object.fromEntries(g.values.map(([f, vs]) => [f, vs[Math.min(k, vs.length - 1)]]));
  }

  /** The logical event in shape k, or why it has none (two fields on one name, the guard not met). */
  shape(rule: SigmaRule, logical: EventObject, k: number): EventObject | string {
    const ev: EventObject = this.guardFields(rule, k);
    const setBy = new Map<string, string>();
    for (const [field, value] of Object.entries(logical)) {
      const names = this.namesOf(rule.logsource, field);
      const name = names[Math.min(k, names.length - 1)]!;
      const n = normalizeName(name);
      const prev = setBy.get(n);
      if (prev !== undefined && ev[prev] !== value) return `${field} and another field both become ${name} in shape ${k}`;
      // Replace a guard field of another spelling, so the event has one key per name.
      for (const key of Object.keys(ev)) if (normalizeName(key) === n) delete ev[key];
      ev[name] = value;
      setBy.set(n, name);
    }
    const g = this.guardOf(rule);
    if (typeof g !== 'string' && !g.check(new EventView(ev))) return `the rule's own values contradict the ${this.label} log-source guard in shape ${k}`;
    return ev;
  }
}

export function logsourceKey(ls: LogSource): string {
  return `${ls.product ?? ''}/${ls.category ?? ''}/${ls.service ?? ''}`;
}

function probeRule(ls: LogSource, field: string): SigmaRule {
  const lines = Object.entries(ls)
    .filter(([k, v]) => v !== undefined && k !== 'definition')
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`);
  const yaml = `title: probe\nlogsource:\n${lines.join('\n')}\ndetection:\n    ${PROBE}:\n        ${JSON.stringify(field)}: x\n    condition: ${PROBE}\n`;
  const { rule, diagnostics } = parseRule(yaml);
  if (!rule) throw new Error(`probe rule for ${field} rejected: ${diagnostics.map((d) => d.message).join('; ')}`);
  return rule;
}

/** A guard that is an AND of (ORs of) plain equalities, as values per field. */
function readGuard(guard: Expr): GuardShape | string {
  const values: Array<[string, unknown[]]> = [];
  for (const c of guard.kind === 'and' ? guard.args : [guard]) {
    const tests = c.kind === 'or' ? c.args : [c];
    let field: string | null = null;
    const vs: unknown[] = [];
    for (const t of tests) {
      if (t.kind !== 'test' || t.field === null || t.negate || (field !== null && t.field !== field)) return 'a guard that is not an AND of equalities';
      field = t.field;
      const v = t.value;
      if (v.type === 'number') vs.push(v.value);
      else if (v.type === 'string' && v.parts.every((p) => typeof p === 'string')) vs.push(v.parts.join(''));
      else return `a guard value of type ${v.type}`;
    }
    values.push([field!, vs]);
  }
  return { values, check: compileExpr(guard, { regex: re2Regex }) };
}
