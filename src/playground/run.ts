// The explorer's playground: a rule's YAML and pasted events in, diagnostics, matches with their
// reasons and translations out. It runs in the browser, so it uses only browser-safe modules and
// the guarded JavaScript regex factory instead of RE2 (the engine takes the factory as a parameter).
import { addParsedFile, checkCollection, emptyCollection, parseSigmaText } from '../sigma/collection.js';
import type { Diagnostic } from '../sigma/diagnostics.js';
import { builtinPipeline } from '../pipeline/builtin.js';
import type { ProcessingPipeline } from '../pipeline/types.js';
import { prepareRules } from '../engine/rulebook.js';
import { Detector } from '../engine/detector.js';
import { guardedJsRegex } from '../engine/regex.js';
import type { MatchedTest, RuleExplanation } from '../engine/explain.js';
import { normalizeEvent } from '../sources/flatten.js';
import type { LogEvent } from '../sources/types.js';
import { convertRule } from '../backends/common/convert.js';
import { TARGETS, targetPipelineChain } from '../backends/targets.js';

export interface PlaygroundInput {
  yaml: string;
  /** NDJSON, a JSON array of events, or one JSON object; EVTX-as-JSON (`Event.System`) is flattened. */
  events: string;
  /** Built-in pipelines to run the rule through before matching (e.g. `windows`), in order. */
  pipelines: readonly string[];
}

export interface PlaygroundEventProblem {
  line: number;
  message: string;
}

export interface PlaygroundRuleMatch {
  rule: string;
  matched: MatchedTest[];
}

/** One rule on one event, matched or not, with its condition tree (the shape `quarry explain` prints). */
export interface PlaygroundExplanation {
  rule: { id?: string; title: string; file: string };
  detected: boolean;
  explanation: RuleExplanation;
}

export interface PlaygroundTranslation {
  target: string;
  pipeline: string;
  ok: boolean;
  query?: string;
  error?: string;
  code?: string;
  notes?: readonly string[];
}

export interface PlaygroundResult {
  diagnostics: Diagnostic[];
  rules: Array<{ title: string; id: string | null; runnable: boolean; reason?: string }>;
  events: Array<Record<string, unknown>>;
  eventProblems: PlaygroundEventProblem[];
  /** Per event (same order as `events`), the rules that matched it and why. */
  matches: PlaygroundRuleMatch[][];
  /** Per event (same order as `events`): how it was routed, and every rule's condition tree on it. */
  explanations: Array<{ routing: string; rules: PlaygroundExplanation[] }>;
  translations: PlaygroundTranslation[];
}

/** Parses pasted events: a JSON array, one object, or one object per line (blank lines skipped). */
export function parsePlaygroundEvents(text: string): { events: Array<Record<string, unknown>>; problems: PlaygroundEventProblem[] } {
  const events: Array<Record<string, unknown>> = [];
  const problems: PlaygroundEventProblem[] = [];
  const trimmed = text.trim();
  if (!trimmed) return { events, problems };
  const add = (v: unknown, line: number) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) events.push(normalizeEvent(v as LogEvent) as Record<string, unknown>);
    else problems.push({ line, message: 'an event must be a JSON object' });
  };
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !trimmed.includes('\n'))) {
    try {
      const v = JSON.parse(trimmed) as unknown;
      if (Array.isArray(v)) v.forEach((x) => add(x, 1));
      else add(v, 1);
      return { events, problems };
    } catch {
      // Not one JSON document: read it line by line below, so each bad line is reported.
    }
  }
  const lines = text.split('\n');
  let pending = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!pending && !line.trim()) continue;
    if (!pending) start = i + 1;
    pending += (pending ? '\n' : '') + line;
    try {
      add(JSON.parse(pending), start);
      pending = '';
    } catch (e) {
      // A pretty-printed object spans lines: keep reading until it closes or the text ends.
      if (i === lines.length - 1 || !/^\s*[{[]/.test(pending)) {
        problems.push({ line: start, message: (e as Error).message });
        pending = '';
      }
    }
  }
  return { events, problems };
}

export function runPlayground(input: PlaygroundInput): PlaygroundResult {
  const col = emptyCollection();
  addParsedFile(col, parseSigmaText(input.yaml, 'playground.yml'));
  checkCollection(col);
  const pipelines: ProcessingPipeline[] = [];
  for (const name of input.pipelines) {
    const p = builtinPipeline(name);
    if (p) pipelines.push(p);
  }
  // The same rulebook and detector as `quarry hunt`, with no declared log source: Windows events
  // meet the rules of their channel, other events every rule.
  const prepared = prepareRules(col, { pipelines, regex: guardedJsRegex });
  const detector = new Detector(prepared.set, { regex: guardedJsRegex });
  const { events, problems } = parsePlaygroundEvents(input.events);
  // One detector call per event gives both the matches and every rule's tree (`quarry explain`'s).
  const verdicts = events.map((ev) => detector.explainNext({ ...ev }));
  const matches: PlaygroundRuleMatch[][] = verdicts.map((v) => v.matches.map((m) => ({ rule: m.rule.ir.rule.title, matched: m.matched })));
  const explanations = verdicts.map((v) => ({
    routing: v.routing,
    rules: v.rules.map((r) => {
      const rule = r.rule.ir.rule;
      return { rule: { ...(rule.id ? { id: rule.id } : {}), title: rule.title, file: rule.file }, detected: r.detected, explanation: r.explanation };
    }),
  }));
  const notRunnable = new Map(prepared.skipped.map((n) => [n.rule, n.reason]));
  const translations: PlaygroundTranslation[] = [];
  for (const rule of col.rules) {
    for (const [target, t] of Object.entries(TARGETS)) {
      for (const name of t.listPipelines()) {
        const r = convertRule(rule, t.backend, targetPipelineChain(target, name), col.filters);
        translations.push(r.ok ? { target, pipeline: name, ok: true, query: r.query, ...(r.notes.length ? { notes: r.notes } : {}) } : { target, pipeline: name, ok: false, error: r.error, code: r.code });
      }
    }
  }
  return {
    diagnostics: col.diagnostics,
    rules: col.rules.map((r) => ({ title: r.title, id: r.id ?? null, runnable: !notRunnable.has(r), ...(notRunnable.has(r) ? { reason: notRunnable.get(r)! } : {}) })),
    events,
    eventProblems: problems,
    matches,
    explanations,
    translations,
  };
}
