// Hunt results: detections grouped by rule and level, a timeline, drill-down to the event, stack
// counts of any field, and one click to exclude a value (saved as a Sigma filter for that rule).
import { useEffect, useState } from 'preact/hooks';
import { api, invalidateCatalog, type HuntDetectionItem, type HuntSummary } from '../api.js';
import { navigate, replaceParams, ruleHref, type Location } from '../router.js';
import { LevelBadge } from '../components/badges.js';
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
                {h.label} ({h.detections} detections)
              </option>
            ))}
          </select>
        </label>
        <span class="muted">{hunt.source}</span>
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
          <h3>By rule</h3>
          <ul class="rules">
            <li>
              <button type="button" class={`link${rule ? '' : ' selected'}`} onClick={() => set('rule', undefined)}>
                All rules ({hunt.detections})
              </button>
            </li>
            {[...hunt.byRule]
              .sort((a, b) => LEVEL_ORDER.indexOf(a.level ?? 'unset') - LEVEL_ORDER.indexOf(b.level ?? 'unset') || b.count - a.count)
              .map((r) => (
                <li data-rule={r.key ?? undefined}>
                  <LevelBadge level={r.level} />{' '}
                  {r.key === null ? (
                    // The results name a rule the explorer was not given: listed, not selectable.
                    <span title="this rule is not among the loaded rules">{r.title}</span>
                  ) : (
                    <button type="button" class={`link${rule === r.key ? ' selected' : ''}`} onClick={() => set('rule', r.key!)}>
                      {r.title}
                    </button>
                  )}{' '}
                  <span class="count">{r.count}</span>
                </li>
              ))}
          </ul>
        </aside>
        <div class="hunt-main">
          <Timeline huntId={hunt.id} rule={rule} version={version} />
          <StackPanel huntId={hunt.id} rule={rule} loc={loc} version={version} onExcluded={() => setVersion(version + 1)} />
          <Detections huntId={hunt.id} rule={rule} version={version} onExcluded={() => setVersion(version + 1)} />
        </div>
      </div>
    </div>
  );
}

function Timeline({ huntId, rule, version }: { huntId: string; rule?: string; version: number }) {
  const [data, setData] = useState<{ bucket: string; points: Array<{ t: string; count: number }> } | null>(null);
  useEffect(() => {
    api.timeline(huntId, rule).then(setData, () => setData({ bucket: 'hour', points: [] }));
  }, [huntId, rule, version]);
  if (!data) return null;
  if (data.points.length === 0) return <p class="muted">No timestamps to draw a timeline.</p>;
  const max = Math.max(...data.points.map((p) => p.count));
  const w = 800;
  const h = 80;
  const bw = w / data.points.length;
  return (
    <figure class="timeline">
      <svg viewBox={`0 0 ${w} ${h + 16}`} role="img" aria-label={`Detections per ${data.bucket}`}>
        {data.points.map((p, i) => {
          const bh = Math.max(1, (p.count / max) * h);
          return (
            <rect x={i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} class="bar">
              <title>
                {p.t}: {p.count}
              </title>
            </rect>
          );
        })}
        <text x="0" y={h + 14} class="axis">
          {data.points[0]!.t}
        </text>
        <text x={w} y={h + 14} class="axis" text-anchor="end">
          {data.points[data.points.length - 1]!.t}
        </text>
      </svg>
      <figcaption>
        Detections per {data.bucket} (max {max})
      </figcaption>
    </figure>
  );
}

function StackPanel({ huntId, rule, loc, version, onExcluded }: { huntId: string; rule?: string; loc: Location; version: number; onExcluded: () => void }) {
  const [field, setField] = useState(loc.params.get('stack') ?? '');
  const [rows, setRows] = useState<Array<{ value: string; count: number }> | null>(null);
  const [error, setError] = useState<string>('');
  const run = (f: string) => {
    setError('');
    if (!f) return setRows(null);
    const p = new URLSearchParams(loc.params);
    p.set('stack', f);
    replaceParams(p);
    api.stack(huntId, f, rule).then((r) => setRows(r.rows), (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
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
                <td>{rule ? <ExcludeButton rule={rule} field={field} value={r.value} onDone={onExcluded} /> : <span class="muted">pick a rule to exclude</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
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

function Detections({ huntId, rule, version, onExcluded }: { huntId: string; rule?: string; version: number; onExcluded: () => void }) {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ total: number; items: HuntDetectionItem[] } | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => setOffset(0), [huntId, rule]);
  useEffect(() => {
    api.detections(huntId, { rule, offset, limit: PAGE }).then(setPage, () => setPage({ total: 0, items: [] }));
  }, [huntId, rule, offset, version]);
  if (!page) return <Loading what="detections" />;
  return (
    <section class="detections" data-section="detections">
      <h3>
        Detections {offset + 1}–{Math.min(offset + PAGE, page.total)} of <span data-testid="detection-total">{page.total}</span>
      </h3>
      <table class="detection-table">
        <thead>
          <tr>
            <th>time</th>
            <th>level</th>
            <th>rule</th>
            <th>source</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((d) => (
            <>
              <tr class={`detection${d.excluded ? ' excluded' : ''}`} onClick={() => setOpen(open === d.n ? null : d.n)} data-detection={d.n}>
                <td>{d.timestamp ?? ''}</td>
                <td>
                  <LevelBadge level={d.rule.level} />
                </td>
                <td>
                  {d.rule.key === null ? (
                    d.rule.title
                  ) : (
                    <a href={ruleHref(d.rule.key)} onClick={(e) => e.stopPropagation()}>
                      {d.rule.title}
                    </a>
                  )}
                  {d.excluded && <em class="muted"> excluded by a filter</em>}
                </td>
                <td class="muted">
                  {d.source.file}
                  {d.source.line !== undefined ? `:${d.source.line}` : d.source.record !== undefined ? `#${d.source.record}` : ''}
                </td>
              </tr>
              {open === d.n && (
                <tr class="drill-down">
                  <td colSpan={4}>
                    <EventDetail d={d} onExcluded={onExcluded} />
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
