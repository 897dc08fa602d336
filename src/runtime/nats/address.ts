// A NATS address as the command line gives it, in a module of its own so that parsing options
// does not load the NATS client (the embedded service never needs it).
export interface NatsAddress {
  /** host:port */
  server: string;
  /** The path's name: a stream (input) or a subject (output). */
  name: string;
}

/** nats://HOST:PORT/NAME → its parts; null when the text is not such an address. */
export function parseNatsUrl(text: string): NatsAddress | null {
  const m = /^nats:\/\/([^/\s]+:\d+)\/([^\s/]+)$/i.exec(text);
  return m ? { server: m[1]!, name: m[2]! } : null;
}
