// False-positive scenarios a rule's own notes do not name but its fields make likely, each with a
// concrete exclusion to start from (seed 004 lists five such scenarios for a one-note rule). They are
// chosen by the kind of field the rule tests: a host name (reserved and internal names, update
// services a hunt saw), a process image (management agents that start programs), so each one can be
// applied as it is or edited first. Values are well-known names, not guesses about the reader's network.
import type { Suggestion } from './suggestions.js';
import type { SeenValues } from './suggestions.js';

export interface GeneralScenario {
  title: string;
  description: string;
  exclusion: Suggestion;
}

const HOST = [/^cs-host$/i, /host(name)?$/i, /^r-dns$/i, /queryname$/i, /^remotename$/i, /^DestinationHostname$/i];
const IMAGE = [/^Image$/i, /^NewProcessName$/i];

function pick(fields: readonly string[], patterns: RegExp[]): string | null {
  for (const re of patterns) {
    const f = fields.find((x) => re.test(x));
    if (f) return f;
  }
  return null;
}

const general = (field: string, values: string[], reason: string, modifier: string | null = 'endswith'): Suggestion => ({ field, ...(modifier ? { modifier } : {}), values, basis: 'filter', reason });

/** The scenarios for a rule's fields (filters included), in the order a hunter checks them. */
export function generalScenarios(fields: readonly string[], seen?: SeenValues): GeneralScenario[] {
  const out: GeneralScenario[] = [];
  const host = pick(fields, HOST);
  if (host) {
    out.push({
      title: 'Development and test systems under reserved names',
      description: `Builds and test environments fetch from hosts under the names reserved for testing (RFC 2606 and RFC 6761), which no public registry hands out.`,
      exclusion: general(host, ['.test', '.example', '.invalid', '.localhost'], `exclude ${host} ending with a reserved test name`),
    });
    out.push({
      title: "The organisation's own internal names",
      description: 'Internal tools and deployment scripts reach servers under private names (.internal, .home.arpa, .local for mDNS, and the corp/lan names many networks use); add your own domain.',
      exclusion: general(host, ['.internal', '.home.arpa', '.local', '.corp', '.lan'], `exclude ${host} ending with an internal name (edit to your domains)`),
    });
    const values = seen ? seen(host, 10) : [];
    out.push({
      title: "Trusted vendors' update and download services",
      description: values.length
        ? `Software updaters reach vendors' own domains. The values listed are the ${host} values of this rule's detections in the loaded hunts: keep the ones you recognise.`
        : `Software updaters reach vendors' own domains: list the ones your software uses (load hunt results to see the values this rule's detections had).`,
      exclusion: general(host, values, `exclude ${host} for the vendors you trust`, values.length ? null : 'endswith'),
    });
  }
  const image = pick(fields, IMAGE);
  if (image) {
    const parent = image === 'Image' ? 'ParentImage' : 'ParentProcessName';
    out.push({
      title: 'Software deployment and management agents',
      description: 'Configuration Manager, Intune and similar agents start installers and scripts on every managed machine; their children are expected.',
      exclusion: general(parent, ['\\ccmexec.exe', '\\Microsoft.Management.Services.IntuneWindowsAgent.exe'], `exclude ${parent} ending with a management agent`),
    });
  }
  return out;
}
