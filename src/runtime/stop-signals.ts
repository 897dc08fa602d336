// SIGTERM and SIGINT while `quarry serve` starts (loading the rules, connecting to the broker,
// binding its port: seconds under load): held until the service can stop gracefully, then carried
// out. Without this, Node's default action killed the process by the signal, and a supervisor saw
// no exit status (the NATS crash tests met it: a restarted worker stopped while it was starting).

/** The exit status of an interrupted command (128 + SIGINT, as shells report it; cli/exit-codes.ts). */
export const EXIT_INTERRUPTED = 130;

export type StopSignal = 'SIGTERM' | 'SIGINT';

let held: { first: StopSignal | null; off(): void } | null = null;

/** From now on a stop signal is kept (a second one exits at once, as a stopping service does). */
export function holdStopSignals(): void {
  if (held) return;
  const h: { first: StopSignal | null; off(): void } = { first: null, off: () => undefined };
  const on = (signal: StopSignal) => () => {
    if (h.first) process.exit(EXIT_INTERRUPTED);
    h.first = signal;
  };
  const term = on('SIGTERM');
  const int = on('SIGINT');
  process.on('SIGTERM', term);
  process.on('SIGINT', int);
  h.off = () => {
    process.off('SIGTERM', term);
    process.off('SIGINT', int);
  };
  held = h;
}

/**
 * Stops holding (call it once the service's own handlers are in place) and returns the signal that
 * came while it held, if any: the caller stops as if it came now. Null when none came or nothing held.
 */
export function releaseStopSignals(): StopSignal | null {
  const h = held;
  if (!h) return null;
  held = null;
  h.off();
  return h.first;
}
