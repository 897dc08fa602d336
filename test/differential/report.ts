// The counts the corpus differential prints: what was generated and, per target, what was compared.
import type { Corpus } from './corpus.js';
import type { Tally } from './tally.js';

function add<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

export interface CorpusCounts {
  rules: number;
  windowsRules: number;
  notRunnable: number;
  rulesWithEvents: number;
  rulesWithMeetingEvent: number;
  truncated: number;
  logical: number;
  logicalByKind: Map<string, number>;
  shaped: number;
  /** Shaped events by shape index (0: the first name and channel, e.g. Sysmon; 1: e.g. Security 4688). */
  byShape: Map<number, number>;
  expectedMatch: number;
  skipped: Map<string, number>;
  inconsistent: string[];
}

export function corpusCounts(c: Corpus): CorpusCounts {
  const out: CorpusCounts = {
    rules: c.rules,
    windowsRules: c.windowsRules.length,
    notRunnable: c.notRunnable.length,
    rulesWithEvents: 0,
    rulesWithMeetingEvent: 0,
    truncated: 0,
    logical: 0,
    logicalByKind: new Map(),
    shaped: 0,
    byShape: new Map(),
    expectedMatch: 0,
    skipped: new Map(),
    inconsistent: [],
  };
  for (const r of c.cases) {
    const g = r.generated;
    if (r.events.length) out.rulesWithEvents++;
    if (r.events.some((e) => e.logical.kind === 'meets' && e.expected)) out.rulesWithMeetingEvent++;
    if (g.truncated) out.truncated++;
    out.logical += g.events.length;
    for (const e of g.events) add(out.logicalByKind, e.kind);
    for (const [k, n] of g.skipped) add(out.skipped, k, n);
    for (const i of g.inconsistent) out.inconsistent.push(`${r.rule.file}: ${i}`);
    out.shaped += r.events.length;
    for (const e of r.events) {
      add(out.byShape, e.shape);
      if (e.expected) out.expectedMatch++;
    }
  }
  return out;
}

const list = (m: Map<string | number, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join('; ');

export function printCorpus(k: CorpusCounts, c: Corpus): void {
  const lines = [
    `corpus differential: ${k.rules} rules in rules*/, ${k.windowsRules} Windows; ${k.notRunnable} not runnable by the oracle`,
    `  rules with events ${k.rulesWithEvents}, with a meeting event ${k.rulesWithMeetingEvent}; DNF cut by the cap in ${k.truncated}`,
    `  logical events ${k.logical} (${list(k.logicalByKind)})`,
    `  shaped events ${k.shaped} (by shape: ${list(k.byShape)}); the oracle expects a match on ${k.expectedMatch}`,
    `  not generated: ${list(k.skipped) || 'none'}`,
    `  shapes left out: ${list(c.shapeSkipped) || 'none'}`,
    `  no ECS shape (not compared on Lucene/ES|QL/EQL): ${list(c.ecsSkipped) || 'none'}`,
  ];
  for (const n of c.notRunnable) lines.push(`  not runnable ${n.file}: ${n.reason}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function printTally(t: Tally, excepted: number, ms: number): void {
  process.stdout.write(
    `  ${t.target.padEnd(8)} rules ${t.rules}, comparisons ${t.comparisons}, refused ${t.refused}${t.refused ? ` (${list(t.refusedBy)})` : ''}, disagreements ${t.disagreements.length} (${excepted} excepted) in ${(ms / 1000).toFixed(1)} s\n`,
  );
}
