// A correlation's timespan in the largest whole unit that states it exactly, for the Elastic
// languages: ES|QL's time-duration literals (`5 minutes`) and EQL's `maxspan` (`5m`).

const UNITS: ReadonlyArray<{ ms: number; esql: string; eql: string }> = [
  { ms: 86_400_000, esql: 'day', eql: 'd' },
  { ms: 3_600_000, esql: 'hour', eql: 'h' },
  { ms: 60_000, esql: 'minute', eql: 'm' },
  { ms: 1_000, esql: 'second', eql: 's' },
  { ms: 1, esql: 'millisecond', eql: 'ms' },
];

function split(ms: number): { n: number; unit: (typeof UNITS)[number] } {
  const unit = UNITS.find((u) => ms % u.ms === 0)!;
  return { n: ms / unit.ms, unit };
}

/** `5 minutes`, `1 hour`, `1500 milliseconds`. */
export function esqlDuration(ms: number): string {
  const { n, unit } = split(ms);
  return `${n} ${unit.esql}${n === 1 ? '' : 's'}`;
}

/** `5m`, `1h`, `1500ms`. */
export function eqlDuration(ms: number): string {
  const { n, unit } = split(ms);
  return `${n}${unit.eql}`;
}
