// The catalogue of diagnostic codes as a markdown page (docs/diagnostics.md). Rendered from the data
// so the page can never disagree with what Quarry reports; test/sigma/diagnostic-docs.test.ts fails
// when the committed page is stale and rewrites it when asked.
import { DIAGNOSTIC_CODES, type CodeInfo, type DiagnosticCode } from './diagnostic-codes.js';

const HEADER = `# Diagnostic codes

<!-- Generated from src/sigma/diagnostic-codes.ts: do not edit by hand. After changing the catalogue,
     run \`npx tsc -p tsconfig.json && QUARRY_UPDATE_DOCS=1 node --test dist/test/sigma/diagnostic-docs.test.js\`. -->

Every problem Quarry reports about a rule, filter, correlation or processing pipeline carries one of
these codes. Codes are stable: tools and tests may key on them (never on the message). The severity is
the one the code is reported with (\`invalid-related\` is also an error when \`related\` cannot be read at
all). Positions are \`line:col\` to \`endLine:endCol\` (exclusive), 1-based; \`quarry validate --format json\`
prints both.

Rooms: where a code is reported. \`yaml\`: any YAML file; \`file\`: reading files; \`document\`,
\`detection\`, \`modifier\`, \`condition\`, \`filter\`, \`correlation\`: parsing a Sigma document;
\`lint\`: checks of what parsed; \`collection\`: checks across documents; \`pipeline\`: processing pipelines.
`;

/** A table cell: pipes and line breaks would end the cell. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function diagnosticsMarkdown(): string {
  const entries = Object.entries(DIAGNOSTIC_CODES) as Array<[DiagnosticCode, CodeInfo]>;
  const rows = entries.map(([code, info]) => `| \`${code}\` | ${info.severity} | ${info.rooms.join(', ')} | ${cell(info.description)} |`);
  return `${HEADER}\n${entries.length} codes.\n\n| code | severity | room | description |\n|---|---|---|---|\n${rows.join('\n')}\n`;
}
