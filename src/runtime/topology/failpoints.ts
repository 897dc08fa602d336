// Fault injection for the crash tests (and for anyone checking a deployment's recovery): with
// QUARRY_FAILPOINT=NAME:N the process kills itself with SIGKILL the N-th time it reaches the point
// NAME, as a power cut or the OOM killer would, so nothing after it runs (no flush, no handlers).
// Points: detect.before-publish, detect.after-publish (published, not acknowledged),
// correlate.before-publish, correlate.after-publish (published, no snapshot),
// correlate.after-snapshot (snapshot saved, records not acknowledged).
const armed = parse(process.env.QUARRY_FAILPOINT);
let hits = 0;

function parse(spec: string | undefined): { name: string; at: number } | null {
  if (!spec) return null;
  const m = /^([a-z.-]+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`QUARRY_FAILPOINT must be NAME:N (like correlate.after-publish:3), not '${spec}'`);
  return { name: m[1]!, at: Number(m[2]) };
}

export function failpoint(name: string): void {
  if (!armed || armed.name !== name) return;
  if (++hits < armed.at) return;
  process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'failpoint reached: killing this process', failpoint: name, hit: hits })}\n`);
  process.kill(process.pid, 'SIGKILL');
}
