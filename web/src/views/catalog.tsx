// The catalog: full-text search, facets with counts, sorting; the URL holds the whole state.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { FACETS, queryFromParams, queryToParams, search, type CatalogQuery, type SearchResult } from '../../../src/catalog/search.js';
import { loadFirstPage, type CatalogEntry } from '../api.js';
import { replaceParams, ruleHref, type Location } from '../router.js';
import { useCatalog } from '../catalog-store.js';
import { KindBadge, LevelBadge, TypeBadge } from '../components/badges.js';
import { ErrorBox, Loading } from '../components/status.js';

const PAGE = 50;
const FACET_LABELS: Record<string, string> = {
  level: 'Level',
  status: 'Status',
  type: 'Type',
  product: 'Product',
  category: 'Category',
  service: 'Service',
  tactic: 'ATT&CK tactic',
  technique: 'ATT&CK technique',
  author: 'Author',
  year: 'Created',
  modified: 'Modified',
  kind: 'Document kind',
  correlation: 'Correlation type',
  root: 'Rule folder',
};

export function CatalogView({ loc }: { loc: Location }) {
  const { state, error } = useCatalog();
  const [query, setQuery] = useState<CatalogQuery>(() => queryFromParams(loc.params));
  const [shown, setShown] = useState(PAGE);
  const update = (q: CatalogQuery) => {
    setQuery(q);
    setShown(PAGE);
    replaceParams(queryToParams(q));
  };
  const full = useMemo(() => (state ? search(state.index, query) : null), [state, query]);
  // Until the whole catalog has arrived, the server answers the first page of the same query.
  const preview = useFirstPage(state ? null : query);
  const view: PageData | null = full && state ? { entries: state.catalog.entries, hits: full.hits, total: full.total, facets: full.facets, of: state.catalog.entries.length } : preview;
  const result = view;
  useEffect(() => {
    // When the first results were on screen (effects run after paint): the explorer's first-load figure.
    if (result && !document.documentElement.dataset.catalogShownMs) {
      performance.mark('quarry:catalog-shown');
      document.documentElement.dataset.catalogShownMs = String(Math.round(performance.now()));
      // `#perf` in the address reports it on the console, for measuring without a browser driver.
      if (location.hash === '#perf') console.log(`quarry catalog shown after ${document.documentElement.dataset.catalogShownMs} ms`);
    }
  }, [result !== null]);
  if (error) return <ErrorBox error={error} />;
  if (!result) return <Loading what="the rule catalog" />;
  const { entries } = result;
  const toggle = (facet: string, value: string) => {
    const cur = query.filters[facet as keyof CatalogQuery['filters']] ?? [];
    const next = cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value];
    update({ ...query, filters: { ...query.filters, [facet]: next } });
  };
  const active = Object.entries(query.filters).flatMap(([f, vs]) => (vs ?? []).map((v) => [f, v] as const));
  return (
    <div class="catalog">
      <section class="results">
        <div class="search-bar">
          <input
            type="search"
            name="q"
            placeholder="Search titles, descriptions, ids, tags, fields and values (e.g. bitsadmin, level:high, tag:t1197)"
            value={query.text}
            autoFocus
            onInput={(e) => update({ ...query, text: (e.target as HTMLInputElement).value })}
          />
          <select aria-label="Sort" value={query.sort} onChange={(e) => update({ ...query, sort: (e.target as HTMLSelectElement).value as CatalogQuery['sort'] })}>
            <option value="relevance">Relevance</option>
            <option value="title">Title</option>
            <option value="level">Level</option>
            <option value="date">Created</option>
            <option value="modified">Modified</option>
          </select>
        </div>
        <p class="count" data-testid="result-count">
          {result.total} of {result.of} rules
          {active.length > 0 && (
            <>
              {' '}
              ·{' '}
              {active.map(([f, v]) => (
                <button type="button" class="chip active-filter" onClick={() => toggle(f, v)} title="Remove this filter">
                  {FACET_LABELS[f] ?? f}: {v} ×
                </button>
              ))}
            </>
          )}
          {state && state.catalog.counts.rejected > 0 && <span class="rejected"> · {state.catalog.counts.rejected} documents rejected by validation</span>}
        </p>
        <ol class="rule-list">
          {result.hits.slice(0, shown).map((i) => {
            const e = entries[i]!;
            return (
              <li key={e.key} class="rule-row">
                <LevelBadge level={e.level} />
                <TypeBadge type={e.type} />
                <KindBadge kind={e.kind} correlation={e.correlation} />
                <a href={ruleHref(e.key)} class="rule-title">
                  {e.title}
                </a>
                <span class="muted logsource">{[e.product, e.category, e.service].filter(Boolean).join(' / ')}</span>
                <span class="tactics">
                  {e.tactics.map((t) => (
                    <span class="chip tactic">{t}</span>
                  ))}
                </span>
                <span class="muted date">{e.modified ?? e.date ?? ''}</span>
              </li>
            );
          })}
        </ol>
        {result.hits.length > shown && (
          <button type="button" class="more" onClick={() => setShown(shown + PAGE)}>
            Show {Math.min(PAGE, result.hits.length - shown)} more
          </button>
        )}
      </section>
      {/* After the results in the page's order, so the search box is the first stop after the skip link; drawn on the left. */}
      <aside class="facets" aria-label="Facets">
        {FACETS.map((f) => (
          <FacetBox key={f} name={f} label={FACET_LABELS[f] ?? f} values={result.facets[f] ?? []} selected={query.filters[f] ?? []} onToggle={(v) => toggle(f, v)} />
        ))}
      </aside>
    </div>
  );
}

/** What the page shows: entries, the hits among them in order, and the facets. */
interface PageData {
  entries: readonly CatalogEntry[];
  hits: readonly number[];
  total: number;
  of: number;
  facets: SearchResult['facets'];
}

/** The server's first page for a query (null: not wanted, or not there yet). Stale answers are dropped. */
function useFirstPage(query: CatalogQuery | null): PageData | null {
  const [page, setPage] = useState<PageData | null>(null);
  const params = query ? queryToParams(query).toString() : null;
  useEffect(() => {
    if (params === null) return;
    let live = true;
    loadFirstPage(params).then(
      (p) => {
        if (live) setPage({ entries: p.entries, hits: p.entries.map((_, i) => i), total: p.total, of: p.of, facets: p.facets as SearchResult['facets'] });
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [params]);
  return params === null ? null : page;
}

function FacetBox(props: { name: string; label: string; values: Array<{ value: string; count: number }>; selected: string[]; onToggle: (v: string) => void }) {
  const [open, setOpen] = useState(false);
  const { values, selected } = props;
  if (values.length === 0 && selected.length === 0) return null;
  // Selected values stay visible even when the other filters leave them with no rule.
  const visible = open ? values : values.slice(0, 8);
  const extra = selected.filter((s) => !visible.some((v) => v.value === s)).map((value) => ({ value, count: 0 }));
  return (
    <fieldset class="facet" data-facet={props.name}>
      <legend>{props.label}</legend>
      {[...visible, ...extra].map((v) => (
        <label class="facet-value">
          <input type="checkbox" checked={selected.includes(v.value)} onChange={() => props.onToggle(v.value)} />
          <span class="facet-name">{v.value}</span>
          <span class="facet-count">{v.count}</span>
        </label>
      ))}
      {values.length > 8 && (
        <button type="button" class="link" onClick={() => setOpen(!open)}>
          {open ? 'fewer' : `all ${values.length}`}
        </button>
      )}
    </fieldset>
  );
}
