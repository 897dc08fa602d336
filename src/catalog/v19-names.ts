// Names of techniques new in ATT&CK v19 that the shared overlay (../shared/data/attack/v19-overlay.json)
// leaves null: without them the explorer shows T1685 (about 180 SigmaHQ rules) as a bare id and a search
// for the name finds nothing. No v19 STIX bundle is available here, so every name below is recorded with
// the published source it was read from (V19_NAME_SOURCES); an id no source names is not listed and stays
// unknown (shown as its id), never guessed. The generator applies these only where the overlay has no name
// (a name in a future overlay wins).
//
// The list is the overlay's eleven v19-new ids (the ones SigmaHQ's coverage layer shows its rules tag);
// test/catalog/attack.test.ts checks each of them is named. T1686.002 (Network Device Firewall in the
// release notes), which two Fortinet rules tag, is not in the overlay: without v19 data its tactics are
// unconfirmed, so it stays an id the matrix cannot place, listed as such, rather than placed by guess.

/** Where a name was read. Each is MITRE's own publication or a MITRE tool's rendering of v19 data. */
export const V19_NAME_SOURCES = {
  /** MITRE's release notes for v19: the "New Techniques" list of Enterprise names every new technique and sub-technique. */
  'release-notes':
    'ATT&CK v19 release notes ("Updates - April 2026", Enterprise, New Techniques): mitre-attack/attack-website@83754156976a4439088e7ef1ee83a2cdbbc003cd modules/resources/static_pages/updates-april-2026.md',
  /** The ATT&CK Navigator's SVG export of SigmaHQ's coverage layer (ATT&CK v19): one cell per top-level technique, with its name. */
  'sigmahq-navigator-svg': 'ATT&CK Navigator SVG export, ATT&CK v19: SigmaHQ/sigma@8eaafff1f other/sigma_attack_nav_coverage.svg',
} as const;

export type V19NameSource = keyof typeof V19_NAME_SOURCES;

/** Each name with the sources that give it (the first is the one relied on; a second is a cross-check that agrees). */
export const V19_TECHNIQUE_NAME_SOURCES: Readonly<Record<string, { name: string; sources: readonly V19NameSource[] }>> = {
  T1685: { name: 'Disable or Modify Tools', sources: ['release-notes', 'sigmahq-navigator-svg'] },
  'T1685.001': { name: 'Disable or Modify Windows Event Log', sources: ['release-notes'] },
  'T1685.002': { name: 'Disable or Modify Cloud Log', sources: ['release-notes'] },
  'T1685.004': { name: 'Disable or Modify Linux Audit System Log', sources: ['release-notes'] },
  'T1685.005': { name: 'Clear Windows Event Logs', sources: ['release-notes'] },
  'T1685.006': { name: 'Clear Linux or Mac System Logs', sources: ['release-notes'] },
  T1686: { name: 'Disable or Modify System Firewall', sources: ['release-notes', 'sigmahq-navigator-svg'] },
  'T1686.001': { name: 'Cloud Firewall', sources: ['release-notes'] },
  'T1686.003': { name: 'Windows Host Firewall', sources: ['release-notes'] },
  T1689: { name: 'Downgrade Attack', sources: ['release-notes', 'sigmahq-navigator-svg'] },
  T1690: { name: 'Prevent Command History Logging', sources: ['release-notes', 'sigmahq-navigator-svg'] },
};

/** The names alone, by id. */
export const V19_TECHNIQUE_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(V19_TECHNIQUE_NAME_SOURCES).map(([id, v]) => [id, v.name]),
);
