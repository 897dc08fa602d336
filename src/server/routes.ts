// The explorer's HTTP API (documented in README.md next to this file). Routes read the explorer
// state and answer JSON; anything unknown under /api/ is a JSON 404.
import { DETECTION_SORTS, sortDetections } from './triage-columns.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VALIDATORS } from '../backends/validators.js';
import type { ExplorerState } from './explorer-state.js';
import { rejectedList } from './explorer-state.js';
import { HttpError, cacheJson, readJsonBody, send, sendCachedJson, sendJson, type CachedJson } from './http.js';
import { RuleDetailCache } from './rule-detail.js';
import { addExclusion, deleteExclusion, listFilters, parseTuningRequest } from './tuning.js';
import { buildIndex, queryFromParams, search, type CatalogIndex } from '../catalog/search.js';
import { ExclusionMarks, baseRuleResolver, detectionItem, huntSummary, seenValues, selectRecords, type HuntResults } from './hunts.js';
import { stackField, timeline } from '../hunt/result-stats.js';

export interface ApiContext {
  state: ExplorerState;
  hunts: HuntResults[];
  details: RuleDetailCache;
  marks: ExclusionMarks;
  catalog: { generation: number; json: CachedJson } | null;
  /** The catalog's search index on the server, for the first page (same code as the browser's). */
  catalogIndex: { generation: number; index: CatalogIndex } | null;
  attackJson: CachedJson | null;
}

export function apiContext(state: ExplorerState, hunts: HuntResults[]): ApiContext {
  return { state, hunts, details: new RuleDetailCache(state), marks: new ExclusionMarks(state), catalog: null, catalogIndex: null, attackJson: null };
}

export function warmCatalog(ctx: ApiContext): void {
  catalogJson(ctx);
  catalogFirstPage(ctx, new URLSearchParams());
}

function catalogJson(ctx: ApiContext): CachedJson {
  const { state } = ctx;
  if (ctx.catalog && ctx.catalog.generation === state.generation) return ctx.catalog.json;
  const json = cacheJson({
    entries: state.documents.map((d) => d.entry),
    roots: state.roots.map((r) => ({ label: r.label, path: r.given })),
    attackVersion: state.attack.version,
    counts: { loaded: state.documents.length, rejected: state.col.rejected.length, rules: state.col.rules.length, correlations: state.col.correlations.length, filters: state.col.filters.length },
    rejected: rejectedList(state),
  });
  ctx.catalog = { generation: state.generation, json };
  return json;
}

/** How many results the first page shows (the catalog view's page size). */
export const FIRST_PAGE = 50;

/**
 * The first page of a catalog query, answered by the server while the browser is still receiving
 * the whole catalog (several megabytes for the SigmaHQ corpus): the page paints at once, and the
 * browser's own index takes over when the catalog has arrived.
 */
function catalogFirstPage(ctx: ApiContext, query: URLSearchParams): unknown {
  const { state } = ctx;
  if (!ctx.catalogIndex || ctx.catalogIndex.generation !== state.generation) {
    ctx.catalogIndex = { generation: state.generation, index: buildIndex(state.documents.map((d) => d.entry)) };
  }
  const { index } = ctx.catalogIndex;
  const result = search(index, queryFromParams(query));
  return { of: index.entries.length, total: result.total, entries: result.hits.slice(0, FIRST_PAGE).map((i) => index.entries[i]), facets: result.facets };
}

function huntById(ctx: ApiContext, id: string): HuntResults {
  const h = ctx.hunts.find((x) => x.id === id);
  if (!h) throw new HttpError(404, `no hunt '${id}' (known: ${ctx.hunts.map((x) => x.id).join(', ') || 'none'})`);
  return h;
}

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `'${name}' must be a whole number`);
  return Math.min(n, max);
}

/** `?n=3,7,12`: a set of detection numbers, or undefined when absent. */
function numberList(q: URLSearchParams, name: string): Set<number> | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const out = new Set<number>();
  for (const part of raw.split(',')) {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `'${name}' must be detection numbers separated by commas (got '${part}')`);
    out.add(n);
  }
  return out;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `malformed percent-encoding in '${s}'`);
  }
}

/** Answers an /api/ request. `segments` are the raw (still encoded) path segments after /api/. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, segments: string[], query: URLSearchParams): Promise<void> {
  const method = req.method ?? 'GET';
  const route = segments[0] ?? '';
  const allow = (...methods: string[]) => {
    if (!methods.includes(method) && !(method === 'HEAD' && methods.includes('GET'))) throw new HttpError(405, `${method} is not allowed here (allowed: ${methods.join(', ')})`);
  };
  const { state } = ctx;

  if (route === 'catalog' && segments.length === 1) {
    allow('GET');
    return sendCachedJson(req, res, catalogJson(ctx));
  }
  if (route === 'catalog' && segments[1] === 'first' && segments.length === 2) {
    allow('GET');
    return sendJson(res, 200, catalogFirstPage(ctx, query));
  }
  if (route === 'attack' && segments.length === 1) {
    allow('GET');
    // Technique descriptions (an official bundle's, megabytes of prose) reach the browser only on rule pages.
    ctx.attackJson ??= cacheJson({ ...state.attack, descriptions: undefined });
    return sendCachedJson(req, res, ctx.attackJson);
  }
  if (route === 'rules' && (segments.length === 2 || (segments.length === 3 && (segments[2] === 'raw' || segments[2] === 'checks')))) {
    allow('GET');
    const key = decodeSegment(segments[1]!);
    const loaded = state.byKey.get(key);
    if (!loaded) throw new HttpError(404, `no rule with key '${key}'`);
    if (segments[2] === 'checks') return sendJson(res, 200, await ctx.details.checks(loaded, (field, limit) => seenValues(ctx.hunts, key, field, limit)));
    if (segments.length === 3) {
      const name = (loaded.path.split('/').pop() ?? 'rule.yml').replace(/[^A-Za-z0-9._-]/g, '_');
      return send(res, 200, loaded.doc.source.endsWith('\n') ? loaded.doc.source : loaded.doc.source + '\n', 'text/yaml; charset=utf-8', { 'Content-Disposition': `attachment; filename="${name}"` });
    }
    const detail = ctx.details.get(loaded, (field, limit) => seenValues(ctx.hunts, key, field, limit));
    return sendJson(res, 200, detail);
  }
  if (route === 'tuning' && segments.length === 1) {
    allow('GET', 'POST');
    if (method === 'POST') {
      const req2 = parseTuningRequest(await readJsonBody(req));
      const r = addExclusion(state, req2);
      return sendJson(res, 201, { path: r.path, source: r.source, key: r.filter.key, name: r.path.split('/').pop() });
    }
    return sendJson(res, 200, listFilters(state));
  }
  if (route === 'tuning' && segments.length === 2) {
    allow('DELETE');
    return sendJson(res, 200, deleteExclusion(state, decodeSegment(segments[1]!)));
  }
  if (route === 'hunts' && segments.length === 1) {
    allow('GET');
    return sendJson(res, 200, ctx.hunts.map((h) => huntSummary(h, ctx.marks.marks(h))));
  }
  if (route === 'hunts' && segments.length === 3) {
    allow('GET');
    const h = huntById(ctx, decodeSegment(segments[1]!));
    const marks = ctx.marks.marks(h);
    const filter = { rule: query.get('rule') || undefined, level: query.get('level') || undefined, excluded: query.get('excluded') || undefined, ns: numberList(query, 'n') };
    const selected = selectRecords(h, marks, filter);
    switch (segments[2]) {
      case 'detections': {
        const offset = intParam(query, 'offset', 0, Number.MAX_SAFE_INTEGER);
        const limit = intParam(query, 'limit', 100, 1000);
        const baseKey = baseRuleResolver(state);
        const sort = query.get('sort');
        if (sort && !(DETECTION_SORTS as readonly string[]).includes(sort.replace(/^-/, ''))) throw new HttpError(400, `cannot sort by '${sort}' (sorts: ${DETECTION_SORTS.join(', ')}; a leading - reverses)`);
        const rows = sort ? sortDetections(selected, sort) : selected;
        return sendJson(res, 200, { total: rows.length, offset, items: rows.slice(offset, offset + limit).map((x) => detectionItem(h, x, baseKey)) });
      }
      case 'timeline':
        return sendJson(res, 200, timeline(selected.map((x) => x.r)));
      case 'stack': {
        const field = query.get('field');
        if (!field) throw new HttpError(400, "give the field to stack: ?field=NAME (derived fields such as cs-host@tld work too)");
        return sendJson(res, 200, stackField(selected.map((x) => x.r), field));
      }
    }
  }
  if (route === 'check' && segments.length === 1) {
    allow('POST');
    const body = (await readJsonBody(req)) as Record<string, unknown> | null;
    if (!body || typeof body.target !== 'string' || typeof body.query !== 'string') throw new HttpError(400, 'the body must be {target, query}');
    const validate = VALIDATORS[body.target];
    if (!validate) throw new HttpError(400, `no validator for target '${body.target}' (targets with one: ${Object.keys(VALIDATORS).join(', ')})`);
    return sendJson(res, 200, validate(body.query));
  }
  throw new HttpError(404, `no API route ${method} /api/${segments.join('/')}`);
}
