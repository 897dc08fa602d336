// ATT&CK tactic ids and names for the `threat` of an Elastic detection rule. Sigma tags name
// tactics by short name only; this small table (ATT&CK 18 Enterprise, with v19's split of
// Defense Evasion into Stealth and Defense Impairment, which SigmaHQ's tags use) gives the id and
// the display name. Techniques keep their ids as names: their names are not shipped.
export const TACTICS: Readonly<Record<string, { id: string; name: string }>> = {
  reconnaissance: { id: 'TA0043', name: 'Reconnaissance' },
  'resource-development': { id: 'TA0042', name: 'Resource Development' },
  'initial-access': { id: 'TA0001', name: 'Initial Access' },
  execution: { id: 'TA0002', name: 'Execution' },
  persistence: { id: 'TA0003', name: 'Persistence' },
  'privilege-escalation': { id: 'TA0004', name: 'Privilege Escalation' },
  'defense-evasion': { id: 'TA0005', name: 'Defense Evasion' },
  stealth: { id: 'TA0005', name: 'Stealth' },
  'defense-impairment': { id: 'TA0112', name: 'Defense Impairment' },
  'credential-access': { id: 'TA0006', name: 'Credential Access' },
  discovery: { id: 'TA0007', name: 'Discovery' },
  'lateral-movement': { id: 'TA0008', name: 'Lateral Movement' },
  collection: { id: 'TA0009', name: 'Collection' },
  'command-and-control': { id: 'TA0011', name: 'Command and Control' },
  exfiltration: { id: 'TA0010', name: 'Exfiltration' },
  impact: { id: 'TA0040', name: 'Impact' },
};
