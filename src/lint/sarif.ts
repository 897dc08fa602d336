// Findings as SARIF 2.1.0, the format code-scanning services (GitHub's among them) read: one run,
// the tool's rules from the catalogue, one result per finding with its region and its fix.
import type { CheckDescription } from './catalogue.js';
import type { Finding, Severity } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF wants URIs; a relative path with forward slashes is one, relative to the run's base. */
const uriOf = (file: string) => encodeURI(file.split('\\').join('/'));

const region = (r: Finding['range']) => ({ startLine: r.start.line, startColumn: r.start.col, endLine: r.end.line, endColumn: r.end.col });

export function toSarif(findings: readonly Finding[], checks: readonly CheckDescription[], version: string): object {
  const used = [...new Set(findings.map((f) => f.check))].sort();
  const rules = used.map((id) => {
    const c = checks.find((x) => x.id === id);
    return {
      id,
      shortDescription: { text: c?.message ?? id },
      fullDescription: { text: c?.docs ?? id },
      defaultConfiguration: { level: LEVEL[c?.severity ?? 'warning'] },
      properties: { group: c?.group ?? 'validity', ...(c?.fix ? { fix: c.fix } : {}) },
    };
  });
  const results = findings.map((f) => ({
    ruleId: f.check,
    ruleIndex: used.indexOf(f.check),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(f.file) }, region: region(f.range) } }],
    ...(f.fix
      ? {
          fixes: [
            {
              description: { text: f.fix.description },
              artifactChanges: [{ artifactLocation: { uri: uriOf(f.file) }, replacements: f.fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })) }],
            },
          ],
        }
      : {}),
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'quarry', version, rules } }, results }],
  };
}
