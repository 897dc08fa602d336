// The explorer's JSON API as the front end uses it (src/server/README.md documents it).
// Types come from the server's API types (browser-safe, type-only: nothing of the server is bundled).
import type { CatalogEntry } from '../../src/catalog/entry.js';
import type { AttackData, ResolvedTag } from '../../src/catalog/attack.js';
import type { QueryCheck } from '../../src/backends/common/types.js';
import type { RuleDetail, StageView, Translation, Suggestion, HuntSummaryView as HuntSummary, DetectionItem as HuntDetectionItem, TimelineView, HuntInfo, TechniqueDescriptions } from '../../src/server/api-types.js';

export type { CatalogEntry, AttackData, ResolvedTag, QueryCheck, RuleDetail, StageView, Translation, Suggestion, HuntSummary, HuntDetectionItem, TimelineView, HuntInfo, TechniqueDescriptions };

export interface CatalogResponse {
  entries: CatalogEntry[];
  roots: Array<{ label: string; path: string }>;
  attackVersion: string;
  counts: { loaded: number; rejected: number };
  rejected: Array<{ file: string; message: string }>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: text };
  }
  if (!res.ok) throw new ApiError(res.status, (body as { error?: string })?.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

/**
 * The explorer's per-launch token, put in the page by the server (src/server/request-guard.ts):
 * every request that changes something carries it, which a page of another site cannot do.
 */
const token = (): string => document.querySelector<HTMLMetaElement>('meta[name="quarry-token"]')?.content ?? '';
const changing = (method: string, init: RequestInit = {}): RequestInit => ({ ...init, method, headers: { ...(init.headers as Record<string, string>), 'x-quarry-token': token() } });
const json = (method: string, body: unknown): RequestInit => changing(method, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const api = {
  catalog: () => request<CatalogResponse>('/api/catalog'),
  attack: () => request<AttackData>('/api/attack'),
  rule: (key: string) => request<RuleDetail>(`/api/rules/${encodeURIComponent(key)}`),
  /** The checks of a rule's translations by `target:pipeline` (computed apart: they are the costly part). */
  checks: (key: string) => request<Record<string, QueryCheck>>(`/api/rules/${encodeURIComponent(key)}/checks`),
  rawUrl: (key: string) => `/api/rules/${encodeURIComponent(key)}/raw`,
  addExclusion: (body: { rule: string; field: string; modifier?: string; values: string[]; note?: string }) => request<{ path: string; source: string }>('/api/tuning', json('POST', body)),
  removeExclusion: (name: string) => request<unknown>(`/api/tuning/${encodeURIComponent(name)}`, changing('DELETE')),
  hunts: () => request<HuntSummary[]>('/api/hunts'),
  detections: (id: string, params: Record<string, string | number | undefined>) =>
    request<{ total: number; items: HuntDetectionItem[] }>(`/api/hunts/${encodeURIComponent(id)}/detections?${qs(params)}`),
  timeline: (id: string, rule?: string) => request<TimelineView>(`/api/hunts/${encodeURIComponent(id)}/timeline?${qs({ rule })}`),
  stack: (id: string, field: string, rule?: string) => request<{ field: string; rows: Array<{ value: string; count: number }> }>(`/api/hunts/${encodeURIComponent(id)}/stack?${qs({ field, rule })}`),
  check: (target: string, query: string) => request<QueryCheck>('/api/check', json('POST', { target, query })),
};

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

/** The first page of a catalog query, answered by the server (see useFirstPage in views/catalog.tsx). */
export interface FirstPage {
  of: number;
  total: number;
  entries: CatalogEntry[];
  facets: Record<string, Array<{ value: string; count: number }>>;
}

/**
 * The catalog and ATT&CK data are loaded once per page and shared by every view. The whole catalog
 * (megabytes for a large corpus) is requested only after the first page's answer, so that small
 * answer is not queued behind it.
 */
let catalogPromise: Promise<CatalogResponse> | null = null;
let attackPromise: Promise<AttackData> | null = null;
let firstPage: { params: string; promise: Promise<FirstPage> } | null = null;
let catalogAfter: Promise<unknown> = Promise.resolve();
export const loadCatalog = (): Promise<CatalogResponse> => (catalogPromise ??= catalogAfter.then(() => api.catalog()));
export const loadAttack = (): Promise<AttackData> => (attackPromise ??= api.attack());
export function loadFirstPage(params: string): Promise<FirstPage> {
  if (firstPage?.params !== params) {
    const promise = request<FirstPage>(`/api/catalog/first?${params}`);
    firstPage = { params, promise };
    if (!catalogPromise) catalogAfter = promise.catch(() => {});
  }
  return firstPage.promise;
}
/** After tuning, entries can change (filters): the next view reloads them. */
export const invalidateCatalog = (): void => {
  catalogPromise = null;
  firstPage = null;
};
