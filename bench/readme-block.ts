// The README's Performance section holds what `npm run bench` printed, between two marker lines, so
// that `node dist/bench/run-all.js --write-readme` can replace it after a run and nothing else changes.

export const BEGIN = '<!-- npm run bench: begin (written by bench/run-all.ts --write-readme) -->';
export const END = '<!-- npm run bench: end -->';

/** The README with the text between the markers replaced by `block`; an error when they are missing. */
export function replaceBlock(readme: string, block: string): string {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no "${BEGIN}" … "${END}" block to write the figures into`);
  return `${readme.slice(0, from + BEGIN.length)}\n${block.trimEnd()}\n${readme.slice(to)}`;
}

export interface RunInfo {
  /** When the run started (ISO, UTC). */
  started: string;
  node: string;
  cores: number;
  /** The processor's model name, when known. */
  cpu?: string;
  /** The one-minute load average at the end of the run (at its start for a run stopped early). */
  load: number;
  loadWhen: 'start' | 'end';
}

/** The text of the block: when and where, then every target line and the verdict per target. */
export function readmeBlock(info: RunInfo, lines: readonly string[], verdicts: string): string {
  return [
    `\`npm run bench\` on ${info.started.slice(0, 16).replace('T', ' ')} UTC: node ${info.node}, ${info.cores} cores${info.cpu ? ` (${info.cpu})` : ''} shared with other jobs ` +
      `(load average ${info.load.toFixed(1)} at the ${info.loadWhen}), so read the ratios to the peers, measured in the same run, rather than the absolute times.`,
    '',
    '```text',
    ...lines,
    '',
    verdicts,
    '```',
  ].join('\n');
}
