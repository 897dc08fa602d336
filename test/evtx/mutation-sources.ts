// The EVTX samples whose chunks the mutation tests damage (fuzz.test.ts, render-flat-samples.test.ts):
// one of each kind of record the reader meets (templates, binary XML substitutions, processing
// instructions, several fragments, Defender, System and BITS events), under ../shared/data/evtx.
export const MUTATION_SOURCES: readonly string[] = [
  'evtx-crate/security.evtx',
  'evtx-crate/CAPI2-binxml-substitution-pi-target.evtx',
  'evtx-crate/Shell-Core-multiple-xml-fragments.evtx',
  'parser-hard/mdec-defender-1116-1117.evtx',
  'windows/mdec-system-104-security-1102-log-cleared.evtx',
  'bits/sbous-bits-openvpn-1537-events.evtx',
];
