// ATT&CK ids: the parent of a sub-technique and the attack.mitre.org page of an object (ATT&CK's stable URL scheme).
export const ATTACK_URL = 'https://attack.mitre.org';

/** The page of a technique, group or software on attack.mitre.org, by ATT&CK's stable URL scheme. */
export function attackUrl(id: string): string {
  const up = id.toUpperCase();
  if (up.startsWith('TA')) return `${ATTACK_URL}/tactics/${up}`;
  if (up.startsWith('T')) return `${ATTACK_URL}/techniques/${up.replace('.', '/')}`;
  if (up.startsWith('G')) return `${ATTACK_URL}/groups/${up}`;
  if (up.startsWith('S')) return `${ATTACK_URL}/software/${up}`;
  if (up.startsWith('DS')) return `${ATTACK_URL}/datasources/${up}`;
  return `${ATTACK_URL}/`;
}

export function parentOf(id: string): string | null {
  const dot = id.indexOf('.');
  return dot < 0 ? null : id.slice(0, dot);
}
