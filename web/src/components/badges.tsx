// Small labels: the rule level (coloured), its type and status.
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
