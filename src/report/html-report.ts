// The hunt as one self-contained HTML file (`--format html --output report.html`): summary,
// per-level and per-rule counts, a timeline on a true time axis (empty stretches drawn as such),
// top hosts and users, and the detections with their explanations. No script, no external
// resource (a Content-Security-Policy forbids them), so the file opens anywhere, offline.
// Counts are kept for every detection; the listing is capped (per rule and in all) so a rule that
// fires thousands of times neither hides the others nor makes a file no browser can open.
import type { HuntDetection } from '../hunt/detection.js';
import { detectionFields } from '../hunt/detection-fields.js';
import { LEVELS } from '../hunt/detection.js';
import { stringifyExact } from '../json/stringify-exact.js';
import type { HuntInfo } from './hunt-info.js';

export interface HtmlReportContext {
  /** What was hunted with and in, as the banner says it. */
  rules: string;
  inputs: string[];
  /** Detections listed per rule (all are counted). */
  perRuleListed?: number;
}

export const HTML_LISTED_TOTAL = 2_000;
const DEFAULT_PER_RULE = 50;
const TOP = 10;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number) => n.toLocaleString('en-US');

export class HtmlReport {
  private readonly perLevel = new Map<string, number>();
  private readonly perRule = new Map<string, { title: string; level: string; correlation: boolean; count: number; listed: number }>();
  private readonly hosts = new Map<string, number>();
  private readonly users = new Map<string, number>();
  // Detections per minute (per hour once there are too many minutes): bounded by the time span.
  private buckets = new Map<number, number>();
  private bucketMs = 60_000;
  private untimed = 0;
  private readonly listed: string[] = [];
  private total = 0;

  constructor(private readonly ctx: HtmlReportContext) {}

  add(d: HuntDetection): void {
    this.total++;
    const f = detectionFields(d);
    const level = d.rule.level ?? 'unset';
    bump(this.perLevel, level);
    if (f.computer) bump(this.hosts, f.computer);
    if (f.user) bump(this.users, f.user);
    const key = `${d.rule.path}\u0000${d.rule.title}`;
    const rule = this.perRule.get(key) ?? { title: d.rule.title, level, correlation: !!d.correlation, count: 0, listed: 0 };
    rule.count++;
    this.perRule.set(key, rule);
    const t = d.timestamp ? Date.parse(d.timestamp) : NaN;
    if (Number.isNaN(t)) this.untimed++;
    else {
      bump(this.buckets, Math.floor(t / this.bucketMs) * this.bucketMs);
      if (this.buckets.size > 50_000) this.coarsen();
    }
    if (rule.listed < (this.ctx.perRuleListed ?? DEFAULT_PER_RULE) && this.listed.length < HTML_LISTED_TOTAL) {
      rule.listed++;
      this.listed.push(detectionHtml(d));
    }
  }

  private coarsen(): void {
    this.bucketMs *= 60;
    const old = this.buckets;
    this.buckets = new Map();
    for (const [t, n] of old) bump(this.buckets, Math.floor(t / this.bucketMs) * this.bucketMs, n);
  }

  render(info?: HuntInfo): string {
    const rules = [...this.perRule.values()].sort((a, b) => LEVELS.indexOf(b.level as never) - LEVELS.indexOf(a.level as never) || b.count - a.count || a.title.localeCompare(b.title));
    const levels = ([...LEVELS].reverse() as string[]).filter((l) => this.perLevel.has(l)).concat(this.perLevel.has('unset') ? ['unset'] : []);
    const notListed = this.total - this.listed.length;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quarry hunt report: ${fmt(this.total)} detections</title>
<style>${CSS}</style></head><body>
<header><h1>Quarry hunt report</h1>
<p class="sub">${info ? `${info.completed ? 'Complete' : `<strong>Incomplete</strong> (${esc(info.reason ?? 'stopped')})`}: ${fmt(info.events)} events, ${fmt(this.total)} detections, ${fmt(info.problems)} unreadable records; ${esc(info.started)} to ${esc(info.finished)}` : ''}</p>
<details class="sub"><summary>Rules from ${esc(this.ctx.rules.split(', ').length === 1 ? this.ctx.rules : `${this.ctx.rules.split(', ').length} paths`)}; ${this.ctx.inputs.length} inputs</summary><p>Rules: ${esc(this.ctx.rules)}</p><p>Inputs: ${esc(this.ctx.inputs.slice(0, 200).join(', '))}${this.ctx.inputs.length > 200 ? ', …' : ''}</p></details></header>
<section class="cards">${levels.map((l) => `<div class="card lvl-${esc(l)}"><span>${fmt(this.perLevel.get(l)!)}</span>${esc(l)}</div>`).join('')}</section>
<section><h2>Timeline</h2>${this.timelineSvg()}</section>
<section class="two"><div><h2>Top hosts</h2>${topTable(this.hosts, 'Host')}</div><div><h2>Top users</h2>${topTable(this.users, 'User')}</div></section>
<section><h2>Rules (${rules.length})</h2><table><thead><tr><th>Level</th><th class="n">Detections</th><th>Rule</th></tr></thead><tbody>
${rules.map((r) => `<tr><td class="lvl-${esc(r.level)}">${esc(r.level)}</td><td class="n">${fmt(r.count)}</td><td>${esc(r.title)}${r.correlation ? ' <em>(correlation)</em>' : ''}${r.listed < r.count ? ` <small>(${fmt(r.listed)} listed below)</small>` : ''}</td></tr>`).join('\n')}
</tbody></table></section>
<section><h2>Detections</h2>${notListed > 0 ? `<p class="note">${fmt(this.listed.length)} of ${fmt(this.total)} listed: at most ${fmt(this.ctx.perRuleListed ?? DEFAULT_PER_RULE)} per rule and ${fmt(HTML_LISTED_TOTAL)} in all (every detection is in the counts above; use --format jsonl for all of them).</p>` : ''}
${this.listed.join('\n')}</section>
</body></html>
`;
  }

  private timelineSvg(): string {
    if (!this.buckets.size) return `<p class="note">No detection has an event time${this.untimed ? ` (${fmt(this.untimed)} without one)` : ''}.</p>`;
    const times = [...this.buckets.keys()];
    const lo = times.reduce((a, b) => Math.min(a, b));
    const hi = times.reduce((a, b) => Math.max(a, b)) + this.bucketMs;
    // Bars of a width that keeps their number under 120 over the whole span, gaps drawn empty.
    const widths = [60_000, 600_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000, 365 * 86_400_000].filter((w) => w >= this.bucketMs);
    const step = widths.find((w) => (hi - lo) / w <= 120) ?? widths[widths.length - 1] ?? this.bucketMs;
    const start = Math.floor(lo / step) * step;
    const n = Math.max(1, Math.ceil((hi - start) / step));
    const bars = new Array<number>(n).fill(0);
    for (const [t, c] of this.buckets) {
      const i = Math.min(n - 1, Math.floor((t - start) / step));
      bars[i] = (bars[i] ?? 0) + c;
    }
    const max = bars.reduce((a, b) => Math.max(a, b));
    const W = 960, H = 150, bw = W / n;
    const label = STEP_LABEL.get(step) ?? `${step / 86_400_000} days`;
    const h = (c: number) => Math.max(2, (c / max) * H); // a bucket with detections stays visible beside a tall one
    const rects = bars.map((c, i) => (c ? `<rect x="${(i * bw).toFixed(1)}" y="${(H - h(c)).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h(c).toFixed(1)}"><title>${esc(new Date(start + i * step).toISOString())}: ${fmt(c)}</title></rect>` : '')).join('');
    const end = new Date(start + n * step).toISOString();
    return `<svg class="timeline" viewBox="0 0 ${W} ${H + 24}" role="img" aria-label="detections per ${label}, ${new Date(start).toISOString()} to ${end}">
<line x1="0" y1="${H}" x2="${W}" y2="${H}" class="axis"/>${rects}
<text x="0" y="${H + 18}">${esc(new Date(start).toISOString().slice(0, 16).replace('T', ' '))}</text><text x="${W}" y="${H + 18}" text-anchor="end">${esc(end.slice(0, 16).replace('T', ' '))}</text><text x="${W / 2}" y="${H + 18}" text-anchor="middle">one bar per ${label}, highest ${fmt(max)}</text></svg>${this.untimed ? `<p class="note">${fmt(this.untimed)} detections have no event time and are not on the timeline.</p>` : ''}`;
  }
}

const STEP_LABEL = new Map([[60_000, 'minute'], [600_000, '10 minutes'], [3_600_000, 'hour'], [6 * 3_600_000, '6 hours'], [86_400_000, 'day'], [7 * 86_400_000, 'week'], [30 * 86_400_000, '30 days'], [365 * 86_400_000, '365 days']]);

function bump<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function topTable(m: Map<string, number>, what: string): string {
  if (!m.size) return `<p class="note">No ${what.toLowerCase()} field in the detections.</p>`;
  const top = [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP);
  return `<table><thead><tr><th>${what}</th><th class="n">Detections</th></tr></thead><tbody>${top.map(([k, n]) => `<tr><td>${esc(k)}</td><td class="n">${fmt(n)}</td></tr>`).join('')}</tbody></table>${m.size > TOP ? `<p class="note">${fmt(m.size - TOP)} more</p>` : ''}`;
}

/** One detection with its explanation: what matched (selection, field, modifiers, value, event value). */
function detectionHtml(d: HuntDetection): string {
  const f = detectionFields(d);
  const level = d.rule.level ?? 'unset';
  const facts = ([['Time', f.time], ['Computer', f.computer], ['Channel', f.channel], ['EventID', f.eventId], ['RecordID', f.recordId], ['User', f.user], ['ATT&CK', f.techniques.join(', ')], ['Source', `${d.source.file}${d.source.line !== undefined ? `:${d.source.line}` : d.source.record !== undefined ? ` record ${d.source.record}` : ''}`]] as Array<[string, string]>)
    .filter(([, v]) => v)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  let why: string;
  if (d.correlation) {
    const c = d.correlation;
    const group = Object.entries(c.group).map(([k, v]) => `${k}=${v}`).join(' ');
    why = `<p>Correlation <b>${esc(c.type)}</b>: ${esc(String(c.value))} (${esc(c.condition)})${group ? ` by ${esc(group)}` : ''}, window ${esc(c.window.start)} to ${esc(c.window.end)}, ${fmt(c.eventCount)} events</p><ul>${c.events.slice(-5).map((e) => `<li>${esc(e.time)} ${esc(e.title)} at ${esc(e.file)}${e.record !== undefined ? ` record ${e.record}` : e.line !== undefined ? `:${e.line}` : ''}</li>`).join('')}</ul>${c.eventCount > 5 ? `<p class="note">… ${fmt(c.eventCount - 5)} earlier events</p>` : ''}`;
  } else {
    why = `<ul>${d.matched.map((m) => `<li><code>${esc(m.selection)}</code>: <code>${esc(m.field ?? '<keyword>')}${esc(m.modifiers.length ? '|' + m.modifiers.join('|') : '')}</code> = <code>${esc(clip(m.value))}</code>${m.eventValue === undefined ? '' : ` (event: <code>${esc(clip(typeof m.eventValue === 'string' ? m.eventValue : stringifyExact(m.eventValue)))}</code>)`}</li>`).join('')}</ul>`;
  }
  return `<article class="det"><h3><span class="lvl-${esc(level)}">${esc(level)}</span> ${esc(d.rule.title)}</h3><dl>${facts}</dl>${why}</article>`;
}

function clip(s: string, n = 300): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:16px;color:#1b1f24;background:#fff}
h1{margin:0 0 4px}h2{font-size:17px;margin:22px 0 8px}h3{font-size:14px;margin:0 0 6px}
.sub,.note{color:#555;margin:2px 0}.cards{display:flex;gap:10px;flex-wrap:wrap;margin:14px 0}
.card{border:1px solid #ccd;border-radius:6px;padding:8px 14px;min-width:90px;text-transform:capitalize}.card span{display:block;font-size:22px;font-weight:600}
.two{display:grid;grid-template-columns:1fr 1fr;gap:20px}@media(max-width:640px){.two{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e3e3e8;vertical-align:top}.n{text-align:right}
.timeline{width:100%;height:auto}.timeline rect{fill:#3b6fb6}.timeline .axis{stroke:#888}.timeline text{font-size:12px;fill:#444}
.det{border:1px solid #e0e0e6;border-radius:6px;padding:8px 12px;margin:8px 0}.det dl{display:grid;grid-template-columns:max-content 1fr;gap:0 12px;margin:0 0 4px}.det dt{color:#666}.det dd{margin:0;word-break:break-all}
.det ul{margin:4px 0;padding-left:20px}code{background:#f3f3f6;padding:0 3px;border-radius:3px;word-break:break-all}
.lvl-critical{color:#8b0000;font-weight:600}.lvl-high{color:#c0392b;font-weight:600}.lvl-medium{color:#b9770e}.lvl-low{color:#2e7d32}.lvl-informational,.lvl-unset{color:#555}`;
