// Small labels: the rule level (coloured), its type and status, what kind of document it is, a hunt's completion.
import type { HuntInfo } from '../api.js';
export function LevelBadge({ level }: { level: string | null }) {
  const l = level ?? 'unset';
  return <span class={`badge level level-${l}`}>{l}</span>;
}

export function TypeBadge({ type }: { type: string }) {
  return <span class={`badge type type-${type}`}>{TYPE_LABELS[type] ?? type}</span>;
}

export const TYPE_LABELS: Record<string, string> = {
  detection: 'Detection',
  'threat-hunting': 'Hunting',
  'emerging-threats': 'Emerging threat',
  compliance: 'Compliance',
  placeholder: 'Placeholder',
  deprecated: 'Deprecated',
  unsupported: 'Unsupported',
};

/** Nothing for a detection rule (most of the catalog); `correlation · temporal` or `filter` otherwise. */
export function KindBadge({ kind, correlation }: { kind: string; correlation?: string | undefined }) {
  if (kind === 'rule') return null;
  return <span class={`badge kind kind-${kind}`}>{correlation ? `correlation · ${correlation}` : kind}</span>;
}

/**
 * Whether the hunt that wrote a results file read all its inputs: an interrupted hunt's partial
 * results are marked, with the reason and how far it got; a file that does not say gets no badge.
 */
export function CompletionBadge({ info }: { info: HuntInfo | null }) {
  if (!info) return null;
  if (info.completed) return <span class="badge hunt-complete" title={`finished ${info.finished}: ${info.events} events read`}>complete</span>;
  return (
    <span class="badge hunt-incomplete" title={`${info.reason ?? 'did not complete'} at ${info.finished}, after ${info.events} events: these detections are partial`}>
      incomplete: {info.reason ?? 'did not complete'}
    </span>
  );
}
