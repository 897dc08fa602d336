// Names of techniques new in ATT&CK v19 that the shared overlay (../shared/data/attack/v19-overlay.json)
// leaves null: without them the explorer shows T1685 (192 SigmaHQ rules) as a bare id and a search for
// the name finds nothing. No v19 STIX bundle is available here, so each name was read from public
// pages that quote ATT&CK v19 (technique pages and remapping tables, e.g. T1562.001 → T1685); a name
// seen in only conflicting sources is left unknown (T1685.002, T1686.001 and the other sub-techniques).
// The generator applies these only where the overlay has no name; a name in a future overlay wins.
export const V19_TECHNIQUE_NAMES: Readonly<Record<string, string>> = {
  T1685: 'Disable or Modify Tools',
  T1686: 'Disable or Modify System Firewall',
  T1689: 'Downgrade Attack',
  T1690: 'Prevent Command History Logging',
};
