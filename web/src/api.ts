// The explorer's JSON API as the front end uses it (src/server/README.md documents it).
import type { CatalogEntry } from '../../src/catalog/entry.js';
import type { AttackData, ResolvedTag } from '../../src/catalog/attack.js';
import type { QueryCheck } from '../../src/backends/common/types.js';

export type { CatalogEntry, AttackData, ResolvedTag, QueryCheck };

export interface CatalogResponse {
  entries: CatalogEntry[];
  roots: Array<{ label: string; path: string }>;
  attackVersion: string;
  counts: { loaded: number; rejected: number };
  rejected: Array<{ file: string; message: string }>;
}

export interface StageItem {
  field: string | null;
  modifiers: string[];
  values: string[];
  origin: 'rule' | 'pipeline' | 'filter';
}

export interface Stage {
  name: string;
  role: 'selection' | 'filter';
  link: 'and' | 'or';
  items: StageItem[];
}

export interface Translation {
  target: string;
  pipeline: string;
  label: string;
  ok: boolean;
  query?: string;
  error?: string;
  code?: string;
  check?: QueryCheck;
}

export interface Suggestion {
  field: string;
  values: string[];
  modifier?: string;
  reason: string;
}

export interface RuleDetail {
  entry: CatalogEntry;
  source: string;
  diagnostics: Array<{ severity: string; line: number; col: number; message: string; code: string }>;
  attack: ResolvedTag[];
  logsource: Record<string, string>;
  stages: { condition: string[]; selections: Stage[] };
  translations: Translation[];
  falsepositives: string[];
  suggestions: Suggestion[];
  filters: Array<{ path: string; name: string; source: string }>;
  hunting: { narrative: string } & Record<string, unknown>;
}

export interface HuntSummary {
  id: string;
  label: string;
  source: string;
  detections: number;
  byLevel: Record<string, number>;
  byRule: Array<{ key: string; title: string; level: string | null; count: number }>;
}

export interface HuntDetectionItem {
  n: number;
  rule: { key: string; id: string | null; title: string; level: string | null };
  timestamp?: string;
  source: { file: string; line?: number; record?: number };
  event: Record<string, unknown>;
  matched: Array<{ selection: string; field: string | null; modifiers: string[]; value: string; eventValue?: unknown }>;
  excluded?: boolean;
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

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const api = {
  catalog: () => request<CatalogResponse>('/api/catalog'),
  attack: () => request<AttackData>('/api/attack'),
  rule: (key: string) => request<RuleDetail>(`/api/rules/${encodeURIComponent(key)}`),
  rawUrl: (key: string) => `/api/rules/${encodeURIComponent(key)}/raw`,
  addExclusion: (body: { rule: string; field: string; modifier?: string; values: string[]; note?: string }) => request<{ path: string; source: string }>('/api/tuning', json('POST', body)),
  removeExclusion: (name: string) => request<unknown>(`/api/tuning/${encodeURIComponent(name)}`, { method: 'DELETE' }),
  hunts: () => request<HuntSummary[]>('/api/hunts'),
  detections: (id: string, params: Record<string, string | number | undefined>) =>
    request<{ total: number; items: HuntDetectionItem[] }>(`/api/hunts/${encodeURIComponent(id)}/detections?${qs(params)}`),
  timeline: (id: string, rule?: string) => request<{ bucket: string; points: Array<{ t: string; count: number }> }>(`/api/hunts/${encodeURIComponent(id)}/timeline?${qs({ rule })}`),
  stack: (id: string, field: string, rule?: string) => request<{ field: string; rows: Array<{ value: string; count: number }> }>(`/api/hunts/${encodeURIComponent(id)}/stack?${qs({ field, rule })}`),
  check: (target: string, query: string) => request<QueryCheck>('/api/check', json('POST', { target, query })),
};

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

/** The catalog and ATT&CK data are loaded once per page and shared by every view. */
let catalogPromise: Promise<CatalogResponse> | null = null;
let attackPromise: Promise<AttackData> | null = null;
export const loadCatalog = (): Promise<CatalogResponse> => (catalogPromise ??= api.catalog());
export const loadAttack = (): Promise<AttackData> => (attackPromise ??= api.attack());
/** After tuning, entries can change (filters): the next view reloads them. */
export const invalidateCatalog = (): void => {
  catalogPromise = null;
};
