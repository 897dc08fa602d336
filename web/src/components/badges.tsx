// Small labels: the rule level (coloured), its type and status, and what kind of document it is.
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
