// Hunt results: detections grouped by rule and level, a timeline (correlation windows drawn apart),
// drill-down to the event or to a correlation's group, window and contributing events, stack counts
// of any field, and one click to exclude a value (saved as a Sigma filter for that rule).
import { useEffect, useState } from 'preact/hooks';
import { api, invalidateCatalog, type HuntDetectionItem, type HuntSummary, type TimelineView } from '../api.js';
import { navigate, replaceParams, ruleHref, type Location } from '../router.js';
import { CompletionBadge, KindBadge, LevelBadge } from '../components/badges.js';
import { ErrorBox, Loading } from '../components/status.js';

const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational', 'unset'];
const PAGE = 50;

export function HuntsView({ loc }: { loc: Location }) {
  const [hunts, setHunts] = useState<HuntSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api.hunts().then(setHunts, setError);
  }, [version]);
  if (error) return <ErrorBox error={error} />;
  if (!hunts) return <Loading what="hunt results" />;
  if (hunts.length === 0) return <p>No hunt results. Start the explorer with <code>--hunt FILE</code> (JSONL or DuckDB from <code>quarry hunt</code>).</p>;
  const id = loc.params.get('hunt') ?? hunts[0]!.id;
  const hunt = hunts.find((h) => h.id === id) ?? hunts[0]!;
  const rule = loc.params.get('rule') ?? undefined;
  const set = (k: string, v: string | undefined) => {
    const p = new URLSearchParams(loc.params);
    if (v === undefined) p.delete(k);
    else p.set(k, v);
    navigate(`/hunts?${p.toString()}`, { replace: true });
  };
  return (
    <div class="hunts">
      <div class="toolbar">
        <label>
          Hunt{' '}
          <select value={hunt.id} onChange={(e) => set('hunt', (e.target as HTMLSelectElement).value)}>
            {hunts.map((h) => (
              <option value={h.id}>
                {h.label} ({h.detections} detections{h.info?.completed === false ? ', incomplete' : ''})
              </option>
            ))}
          </select>
        </label>
        <span class="muted">{hunt.source}</span> <CompletionBadge info={hunt.info} />
      </div>
      <div class="hunt-layout">
        <aside class="by-rule">
          <h3>By level</h3>
          <ul class="levels">
            {LEVEL_ORDER.filter((l) => hunt.byLevel[l]).map((l) => (
              <li>
                <LevelBadge level={l} /> {hunt.byLevel[l]}
              </li>
            ))}
          </ul>
          {hunt.correlations > 0 && (
            <p class="correlation-count" data-testid="correlation-count">
              <KindBadge kind="correlation" /> {hunt.correlations} of {hunt.detections}
            </p>
          )}
          <h3>By rule</h3>
          <ul class="rules">
            <li>
              <button type="button" class={`link${rule ? '' : ' selected'}`} onClick={() => set('rule', undefined)}>
                All rules ({hunt.detections - hunt.excluded}
                {hunt.excluded ? `, ${hunt.excluded} excluded` : ''})
              </button>
            </li>
            {[...hunt.byRule]
              .sort((a, b) => LEVEL_ORDER.indexOf(a.level ?? 'unset') - LEVEL_ORDER.indexOf(b.level ?? 'unset') || b.count - b.excluded - (a.count - a.excluded))
              .map((r) => (
                <li data-rule={r.key ?? undefined}>
                  <LevelBadge level={r.level} /> {r.correlation && <KindBadge kind="correlation" correlation={r.correlation} />}
                  {r.key === null ? (
                    // The results name a rule the explorer was not given: listed, not selectable.
                    <span title="this rule is not among the loaded rules">{r.title}</span>
                  ) : (
                    <button type="button" class={`link${rule === r.key ? ' selected' : ''}`} onClick={() => set('rule', r.key!)}>
                      {r.title}
                    </button>
                  )}{' '}
                  {/* Excluded detections no longer count: the number is what is left to triage. */}
                  <span class="count" data-count={r.count - r.excluded}>
                    {r.count - r.excluded}
                  </span>
                  {r.excluded > 0 && <span class="muted excluded-count"> ({r.excluded} excluded)</span>}
                </li>
              ))}
          </ul>
        </aside>
        <div class="hunt-main">
          <Timeline huntId={hunt.id} rule={rule} version={version} />
          <StackPanel huntId={hunt.id} rule={rule} correlation={hunt.byRule.some((r) => r.key === rule && r.correlation)} loc={loc} version={version} onExcluded={() => setVersion(version + 1)} />
          <Detections huntId={hunt.id} rule={rule} sort={loc.params.get('sort') ?? ''} onSort={(v) => set('sort', v || undefined)} version={version} onExcluded={() => setVersion(version + 1)} />
        </div>
      </div>
    </div>
  );
}

function Timeline({ huntId, rule, version }: { huntId: string; rule?: string; version: number }) {
  const [data, setData] = useState<TimelineView | null>(null);
  useEffect(() => {
    api.timeline(huntId, rule).then(setData, () => setData({ bucket: 'hour', points: [], undated: 0, windows: [], windowsDropped: 0 }));
  }, [huntId, rule, version]);
  if (!data) return null;
  if (data.points.length === 0 && data.windows.length === 0) return <p class="muted">No timestamps to draw a timeline.</p>;
  // One time axis for the bars (single-event detections per bucket) and the correlation windows below them.
  const size = BUCKET_MS[data.bucket];
  const starts = [...data.points.map((p) => Date.parse(p.t)), ...data.windows.map((w) => Date.parse(w.start))];
  const ends = [...data.points.map((p) => Date.parse(p.t) + size), ...data.windows.map((w) => Date.parse(w.end))];
  const t0 = Math.min(...starts);
  const t1 = Math.max(...ends, t0 + size);
  const w = 800;
  // Correlation windows alone (a correlation rule picked) need no room for bars.
  const h = data.points.length ? 80 : 0;
  const x = (t: number) => ((t - t0) / (t1 - t0)) * w;
  const max = Math.max(1, ...data.points.map((p) => p.count));
  const lanes = windowLanes(data.windows, x);
  const laneCount = Math.max(0, ...lanes) + (data.windows.length ? 1 : 0);
  const top = h + 4;
  const axisY = top + laneCount * 10 + 12;
  return (
    <figure class="timeline">
      <svg viewBox={`0 0 ${w} ${axisY + 4}`} role="img" aria-label={`Detections per ${data.bucket}`}>
        {data.points.map((p) => {
          const bh = Math.max(1, (p.count / max) * h);
          const left = x(Date.parse(p.t));
          return (
            <rect x={left + 0.5} y={h - bh} width={Math.max(2, x(Date.parse(p.t) + size) - left - 1)} height={bh} class="bar">
              <title>
                {p.t}: {p.count}
              </title>
            </rect>
          );
        })}
        {laneCount > 0 && <rect x={0} y={top - 1} width={w} height={laneCount * 10} class="window-lane" />}
        {data.windows.map((win, i) => {
          const left = x(Date.parse(win.start));
          return (
            <rect x={left} y={top + lanes[i]! * 10} width={Math.max(3, x(Date.parse(win.end)) - left)} height={8} rx={2} class="window" data-n={win.n}>
              <title>
                {win.title} ({win.type}): {win.start} – {win.end}
              </title>
            </rect>
          );
        })}
        {/* Ticks at true times: bars sit where their bucket is, so empty stretches show as gaps. */}
        {ticks(t0, t1).map((t) => (
          <line x1={x(t)} x2={x(t)} y1={0} y2={axisY - 10} class="tick" data-tick={new Date(t).toISOString()} />
        ))}
        <text x="0" y={axisY} class="axis">
          {new Date(t0).toISOString()}
        </text>
        <text x={w} y={axisY} class="axis" text-anchor="end">
          {new Date(t1).toISOString()}
        </text>
      </svg>
      <figcaption>
        Single-event detections per {data.bucket} (max {max}) over {span(t1 - t0)}, drawn to scale: gaps are time without detections; a tick every {span(tickStep(t1 - t0))}
        {data.windows.length > 0 && (
          <>
            ; below, the window of each correlation detection ({data.windows.length}
            {data.windowsDropped ? `, ${data.windowsDropped} more not drawn` : ''})
          </>
        )}
      </figcaption>
    </figure>
  );
}

const BUCKET_MS: Record<TimelineView['bucket'], number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const STEPS = [60_000, 600_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000, 365 * 86_400_000];

/** The tick interval: the smallest step that gives at most 12 ticks (a year per tick beyond). */
function tickStep(ms: number): number {
  const step = STEPS.find((s) => ms / s <= 12);
  return step ?? Math.ceil(ms / 12 / STEPS[STEPS.length - 1]!) * STEPS[STEPS.length - 1]!;
}

/** Tick times between t0 and t1 at whole multiples of the step (UTC). */
function ticks(t0: number, t1: number): number[] {
  const step = tickStep(t1 - t0);
  const out: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t < t1; t += step) out.push(t);
  return out;
}

/** A duration in the largest unit that fits: "6.2 years", "3 days", "45 minutes". */
function span(ms: number): string {
  const units: Array<[number, string]> = [
    [365 * 86_400_000, 'year'],
    [30 * 86_400_000, 'month'],
    [7 * 86_400_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    if (ms >= size) {
      const n = Math.round((ms / size) * 10) / 10;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.round(ms / 1000)} seconds`;
}

/** A lane per window so that overlapping windows do not hide each other (at most 4 lanes; more share the last). */
function windowLanes(windows: TimelineView['windows'], x: (t: number) => number): number[] {
  const laneEnds: number[] = [];
  return windows.map((win) => {
    const left = x(Date.parse(win.start));
    let lane = laneEnds.findIndex((end) => end + 2 <= left);
    if (lane < 0) lane = laneEnds.length < 4 ? laneEnds.length : 3;
    laneEnds[lane] = Math.max(laneEnds[lane] ?? 0, Math.max(left + 3, x(Date.parse(win.end))));
    return lane;
  });
}

function StackPanel({ huntId, rule, correlation, loc, version, onExcluded }: { huntId: string; rule?: string; correlation: boolean; loc: Location; version: number; onExcluded: () => void }) {
  const [field, setField] = useState(loc.params.get('stack') ?? '');
  const [rows, setRows] = useState<Array<{ value: string; count: number }> | null>(null);
  const [error, setError] = useState<string>('');
  const run = (f: string) => {
    setError('');
    if (!f) return setRows(null);
    const p = new URLSearchParams(loc.params);
    p.set('stack', f);
    replaceParams(p);
    // Rarest first, as `quarry stack` prints them: the odd value out is what a hunter looks for.
    api.stack(huntId, f, rule).then((r) => setRows(rarestFirst(r.rows)), (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  useEffect(() => {
    if (field) run(field);
  }, [huntId, rule, version]);
  return (
    <section class="stack" data-section="stack">
      <form onSubmit={(e) => (e.preventDefault(), run(field))}>
        <label>
          Stack by field <input name="stack-field" value={field} placeholder="e.g. cs-host@tld, Image, RemoteName@domain" onInput={(e) => setField((e.target as HTMLInputElement).value)} />
        </label>{' '}
        <button type="submit">Count</button>
      </form>
      {error && <p class="error">{error}</p>}
      {rows && (
        <table class="stack-table">
          <thead>
            <tr>
              <th>{field}</th>
              <th>count</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>
                  <code>{r.value}</code>
                </td>
                <td>{r.count}</td>
                <td>
                  {correlation ? (
                    // Sigma filters apply to detection rules: a correlation is tuned through the rules it reads.
                    <span class="muted">exclude on a base rule of this correlation</span>
                  ) : rule ? (
                    <ExcludeButton rule={rule} field={field} value={r.value} onDone={onExcluded} />
                  ) : (
                    <span class="muted">pick a rule to exclude</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Stack rows by count, smallest first; equal counts by value. */
export function rarestFirst(rows: Array<{ value: string; count: number }>): Array<{ value: string; count: number }> {
  return [...rows].sort((a, b) => a.count - b.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

function ExcludeButton({ rule, field, value, onDone }: { rule: string; field: string; value: string; onDone: () => void }) {
  const [state, setState] = useState('');
  return (
    <button
      type="button"
      class="exclude"
      title={`Add a Sigma filter: not ${field} = ${value}`}
      disabled={state === 'saving'}
      onClick={() => {
        setState('saving');
        api.addExclusion({ rule, field, values: [value], note: 'excluded from hunt results' }).then(
          () => {
            setState('excluded');
            invalidateCatalog();
            onDone();
          },
          (e: unknown) => setState(e instanceof Error ? e.message : String(e)),
        );
      }}
    >
      {state === 'excluded' ? 'Excluded' : state && state !== 'saving' ? state : 'Exclude'}
    </button>
  );
}

/** The detections table's sortable columns: [sort name, header]; the source column keeps the results' order. */
const COLUMNS: Array<[string, string]> = [
  ['time', 'time'],
  ['level', 'level'],
  ['rule', 'rule'],
  ['host', 'host'],
  ['user', 'user'],
  ['channel', 'channel'],
  ['eventId', 'EventID'],
];

function Detections({ huntId, rule, sort, onSort, version, onExcluded }: { huntId: string; rule?: string; sort: string; onSort: (sort: string) => void; version: number; onExcluded: () => void }) {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ total: number; items: HuntDetectionItem[] } | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => setOffset(0), [huntId, rule, sort]);
  useEffect(() => {
    api.detections(huntId, { rule, offset, limit: PAGE, sort: sort || undefined }).then(setPage, () => setPage({ total: 0, items: [] }));
  }, [huntId, rule, offset, sort, version]);
  const toggle = (n: number) => setOpen(open === n ? null : n);
  if (!page) return <Loading what="detections" />;
  return (
    <section class="detections" data-section="detections">
      <h3>
        Detections {offset + 1}–{Math.min(offset + PAGE, page.total)} of <span data-testid="detection-total">{page.total}</span>
      </h3>
      <table class="detection-table">
        <thead>
          <tr>
            {COLUMNS.map(([name, label]) => {
              // A click sorts by the column; a second click reverses; a third returns to the results' order.
              const state = sort === name ? 'ascending' : sort === `-${name}` ? 'descending' : 'none';
              const next = state === 'none' ? name : state === 'ascending' ? `-${name}` : '';
              return (
                <th aria-sort={state} data-column={name}>
                  <button type="button" class="link sort" onClick={() => onSort(next)}>
                    {label}
                    {state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : ''}
                  </button>
                </th>
              );
            })}
            <th>source</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((d) => (
            <>
              <tr
                class={`detection${d.excluded ? ' excluded' : ''}`}
                // The row opens its drill-down from the keyboard too (Tab to it, Enter or Space).
                tabIndex={0}
                aria-expanded={open === d.n}
                onClick={() => toggle(d.n)}
                onKeyDown={(e) => {
                  if ((e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) {
                    e.preventDefault();
                    toggle(d.n);
                  }
                }}
                data-detection={d.n}
              >
                <td>{d.timestamp ?? ''}</td>
                <td>
                  <LevelBadge level={d.rule.level} />
                </td>
                <td>
                  {d.correlation && <KindBadge kind="correlation" correlation={d.correlation.type} />}
                  {d.rule.key === null ? (
                    d.rule.title
                  ) : (
                    <a href={ruleHref(d.rule.key)} onClick={(e) => e.stopPropagation()}>
                      {d.rule.title}
                    </a>
                  )}
                  {d.excluded && <em class="muted"> excluded by a filter</em>}
                </td>
                <td data-cell="host">{d.host ?? ''}</td>
                <td data-cell="user">{d.user ?? ''}</td>
                <td data-cell="channel">{d.channel ?? ''}</td>
                <td data-cell="eventId">{d.eventId ?? ''}</td>
                <td class="muted">
                  {d.correlation ? (
                    <>
                      {Object.entries(d.correlation.group).map(([k, v]) => `${k}=${v}`).join(', ') || 'all events'} · {d.correlation.eventCount} event{d.correlation.eventCount === 1 ? '' : 's'}
                    </>
                  ) : (
                    place(d.source)
                  )}
                </td>
              </tr>
              {open === d.n && (
                <tr class="drill-down">
                  <td colSpan={8}>
                    {d.correlation ? <CorrelationDetail huntId={huntId} d={d} onExcluded={onExcluded} /> : <EventDetail d={d} onExcluded={onExcluded} />}
                  </td>
                </tr>
              )}
            </>
          ))}
        </tbody>
      </table>
      <div class="pager">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <button type="button" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </div>
    </section>
  );
}

function EventDetail({ d, onExcluded }: { d: HuntDetectionItem; onExcluded: () => void }) {
  const matchedFields = new Set(d.matched.map((m) => m.field));
  return (
    <div class="event-detail">
      <p>
        Matched:{' '}
        {d.matched.map((m) => (
          <span class="chip">
            {m.selection}: {m.field ?? '(keyword)'}
            {m.modifiers.length ? `|${m.modifiers.join('|')}` : ''} = {m.value}
          </span>
        ))}
      </p>
      <table class="event-fields">
        <tbody>
          {Object.entries(d.event).map(([k, v]) => {
            const text = typeof v === 'string' ? v : JSON.stringify(v);
            return (
              <tr class={matchedFields.has(k) ? 'matched-field' : ''}>
                <th>{k}</th>
                <td>
                  <code>{text}</code>
                </td>
                <td>{d.rule.key !== null && (typeof v === 'string' || typeof v === 'number') ? <ExcludeButton rule={d.rule.key} field={k} value={String(v)} onDone={onExcluded} /> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const place = (p: { file: string; line?: number; record?: number }): string => `${p.file}${p.line !== undefined ? `:${p.line}` : p.record !== undefined ? `#${p.record}` : ''}`;

/** A correlation detection opened: its group, window, value against the condition, and its contributing events. */
function CorrelationDetail({ huntId, d, onExcluded }: { huntId: string; d: HuntDetectionItem; onExcluded: () => void }) {
  const c = d.correlation!;
  const [shown, setShown] = useState<Record<number, HuntDetectionItem | 'loading'>>({});
  const show = (n: number) => {
    if (shown[n]) return setShown(({ [n]: _, ...rest }) => rest);
    setShown({ ...shown, [n]: 'loading' });
    api.detections(huntId, { n }).then((r) => setShown((cur) => ({ ...cur, [n]: r.items[0]! })));
  };
  return (
    <div class="correlation-detail">
      <dl class="facts">
        <div>
          <dt>Group</dt>
          <dd data-testid="corr-group">
            {Object.entries(c.group).map(([k, v]) => (
              <span class="chip">
                {k} = {v}
              </span>
            ))}
            {Object.keys(c.group).length === 0 && <span class="muted">no group-by: all events</span>}
          </dd>
        </div>
        <div>
          <dt>Window</dt>
          <dd data-testid="corr-window">
            {c.window.start} – {c.window.end}
          </dd>
        </div>
        <div>
          <dt>Value</dt>
          <dd data-testid="corr-value">
            {c.value} <span class="muted">({c.type}, condition {c.condition})</span>
          </dd>
        </div>
      </dl>
      <table class="corr-events">
        <thead>
          <tr>
            <th>time</th>
            <th>base rule</th>
            <th>event</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {c.events.map((e) => (
            <>
              <tr class="corr-event">
                <td>{e.time}</td>
                <td>{e.key ? <a href={ruleHref(e.key)}>{e.title}</a> : e.title}</td>
                <td class="muted">{place(e)}</td>
                <td>
                  {e.n === null ? (
                    <span class="muted" title="no detection of this event in these results: its rule reports nothing of its own (generate: false), or its detection was not kept">
                      not in these results
                    </span>
                  ) : (
                    <button type="button" class="link show-event" data-event-n={e.n} onClick={() => show(e.n!)}>
                      {shown[e.n] ? 'hide' : `event (detection ${e.n})`}
                    </button>
                  )}
                </td>
              </tr>
              {e.n !== null && shown[e.n] && shown[e.n] !== 'loading' && (
                <tr class="corr-event-detail">
                  <td colSpan={4}>
                    <EventDetail d={shown[e.n] as HuntDetectionItem} onExcluded={onExcluded} />
                  </td>
                </tr>
              )}
            </>
          ))}
        </tbody>
      </table>
      {c.eventCount > c.events.length && <p class="muted">{c.eventCount - c.events.length} more events are not listed (the first {c.events.length} are kept).</p>}
    </div>
  );
}
