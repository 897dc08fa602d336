// Which detections of a hunt are reported: event time between --from and --to, rules of a status,
// tag or ATT&CK technique, rules left out by id or file, at most N per rule, and one copy of a record
// read from several files (volume shadow copies, backups). Applied to detections, not rules, so
// that correlations still see every base match they count; each left-out detection is counted by
// reason so that the summary can say what the scope removed (nothing disappears silently).
import { basename } from 'node:path';
import type { HuntDetection } from './detection.js';
import { detectionFields, techniqueIds } from './detection-fields.js';

export interface ScopeOptions {
  /** Event time bounds in ms since the epoch, both inclusive. */
  from?: number;
  to?: number;
  statuses?: string[];
  tags?: string[];
  techniques?: string[];
  /** Rule ids, or rule files (a path or its file name). */
  excludeRules?: string[];
  limitPerRule?: number;
  dedupe?: boolean;
}

/** Why a detection was left out, in the order the summary lists them. */
export const LEFT_OUT_REASONS = ['before --from', 'after --to', 'no event time', 'status', 'tag', 'technique', 'excluded rule', 'duplicate record', 'over --limit-per-rule'] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];

export class DetectionScope {
  /** Detections left out, by reason. */
  readonly leftOut = new Map<LeftOutReason, number>();
  /** Per rule title: detections beyond --limit-per-rule (the summary lists them). */
  readonly overLimit = new Map<string, number>();
  private readonly perRule = new Map<string, number>();
  // One key per reported detection that carries a log record id: the memory of duplicate removal
  // grows with detections (not events), about 150 bytes each.
  private readonly seen = new Set<string>();
  private readonly tags?: Set<string>;
  private readonly statuses?: Set<string>;

  constructor(private readonly o: ScopeOptions) {
    if (o.tags?.length) this.tags = new Set(o.tags.map(normalTag));
    if (o.statuses?.length) this.statuses = new Set(o.statuses.map((s) => s.toLowerCase()));
  }

  get limitPerRule(): number | undefined {
    return this.o.limitPerRule;
  }

  get active(): boolean {
    const o = this.o;
    return o.from !== undefined || o.to !== undefined || !!this.statuses || !!this.tags || !!o.techniques?.length || !!o.excludeRules?.length || !!o.dedupe;
  }

  /** True when `d` is in the hunt's scope (counted in its summary); otherwise counts why not. */
  admit(d: HuntDetection): boolean {
    const reason = this.reasonToLeaveOut(d);
    if (reason) this.leftOut.set(reason, (this.leftOut.get(reason) ?? 0) + 1);
    return !reason;
  }

  /**
   * True when an admitted detection is written out: --limit-per-rule keeps the first N of each
   * rule in the output, and the rest count in the per-rule summary (and `overLimit`) only.
   */
  shown(d: HuntDetection): boolean {
    if (this.o.limitPerRule === undefined) return true;
    const key = `${d.rule.path}\u0000${d.rule.title}`;
    const n = (this.perRule.get(key) ?? 0) + 1;
    this.perRule.set(key, n);
    if (n <= this.o.limitPerRule) return true;
    this.leftOut.set('over --limit-per-rule', (this.leftOut.get('over --limit-per-rule') ?? 0) + 1);
    this.overLimit.set(d.rule.title, (this.overLimit.get(d.rule.title) ?? 0) + 1);
    return false;
  }

  private reasonToLeaveOut(d: HuntDetection): LeftOutReason | undefined {
    const o = this.o;
    if (o.from !== undefined || o.to !== undefined) {
      const t = d.timestamp ? Date.parse(d.timestamp) : NaN;
      if (Number.isNaN(t)) return 'no event time';
      if (o.from !== undefined && t < o.from) return 'before --from';
      if (o.to !== undefined && t > o.to) return 'after --to';
    }
    if (this.statuses && !this.statuses.has((d.rule.status ?? 'unset').toLowerCase())) return 'status';
    if (this.tags && !d.rule.tags.some((t) => this.tags!.has(normalTag(t)))) return 'tag';
    if (o.techniques?.length) {
      // T1059 selects its sub-techniques too (T1059.001), as ATT&CK nests them.
      const ids = techniqueIds(d.rule.tags);
      const wanted = o.techniques.map((t) => t.toUpperCase());
      if (!ids.some((id) => wanted.some((w) => id === w || id.startsWith(w + '.')))) return 'technique';
    }
    if (o.excludeRules?.length && o.excludeRules.some((x) => x === d.rule.id || x === d.rule.path || x === basename(d.rule.path))) return 'excluded rule';
    if (o.dedupe && !d.correlation) {
      const f = detectionFields(d);
      if (f.recordId) {
        // The same record of the same log: same computer, channel, record id and time, for the same rule.
        const key = `${f.computer}\u0000${f.channel}\u0000${f.recordId}\u0000${f.time}\u0000${d.rule.path}\u0000${d.rule.title}`;
        if (this.seen.has(key)) return 'duplicate record';
        this.seen.add(key);
      }
    }
    return undefined;
  }
}

/** `attack.persistence` and `persistence` name the same tag. */
function normalTag(t: string): string {
  const l = t.toLowerCase();
  return l.startsWith('attack.') ? l.slice('attack.'.length) : l;
}
