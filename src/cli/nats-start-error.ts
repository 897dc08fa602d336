// How `quarry serve` and `quarry publish` end when the broker cannot be used at start: one line that
// names the broker, the step and its last failure, and for a broker still not answering after
// --start-timeout, what to check (a refusal needs no hint: its reason is the message).
import { UsageError } from './usage.js';

export function natsStartError(server: string, e: Error, startTimeout: string): UsageError {
  const hint = e.name === 'RetryExhaustedError' ? ` (is nats-server running there, with JetStream? --start-timeout ${startTimeout} can be raised)` : '';
  return new UsageError(`NATS at ${server}: ${e.message}${hint}`);
}
