// `quarry publish`: NDJSON events into a JetStream stream, for replays and for trying the NATS
// topology without a log shipper. Each line is published as written (the detect stage reads it),
// with a message id from its file, line and content, so a publish retried after a failure stores
// the event once; `--end` then marks the end of input (the partitions finish their windows, as a
// hunt does at the end of its files).
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { controlHeaders, ensureStream, parseNatsUrl } from '../runtime/nats/nats-broker.js';
import { UsageError } from './usage.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { writeTerminal } from '../report/terminal-text.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE } from './exit-codes.js';

const HELP = `Usage: quarry publish --to nats://HOST:PORT/STREAM [--subject S] [--end] [FILE…|-]

Publishes NDJSON events (one JSON object a line; - or no FILE: standard input) to a NATS JetStream
stream, made (capturing STREAM.>) when absent, for 'quarry serve --input nats://HOST:PORT/STREAM'.
Lines that are not JSON objects are reported with file:line and not published.
  --to URL       the stream
  --subject S    the subject to publish on (default STREAM.events)
  --end          after the events, mark the end of input: the correlate stage then finishes its
                 open windows, as a hunt does at the end of its files (a replay's last step)
  --window N     publishes awaiting the broker's confirmation at once (default 512)
Each event's message id comes from its file name, line and content: publishing the same file again
within the stream's duplicate window stores nothing new (the count of repeats is printed).
`;

export async function publishCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { to: { type: 'string' }, subject: { type: 'string' }, end: { type: 'boolean' }, window: { type: 'string', default: '512' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (!values.to) throw new UsageError('give the stream with --to nats://HOST:PORT/STREAM');
  const to = parseNatsUrl(values.to);
  if (!to) throw new UsageError(`--to must be nats://HOST:PORT/STREAM, not '${values.to}'`);
  const window = Number(values.window);
  if (!Number.isInteger(window) || window < 1) throw new UsageError(`--window must be a whole number of at least 1, not '${values.window}'`);
  const files = positionals.length ? positionals : ['-'];
  requireExistingPaths(files.filter((f) => f !== '-'), 'input');
  const nc = await connect({ servers: to.server, name: 'quarry-publish' }).catch((e: Error) => {
    throw new UsageError(`cannot reach NATS at ${to.server}: ${e.message}`);
  });
  let published = 0;
  let repeats = 0;
  let bad = 0;
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await ensureStream(jsm, { name: to.name, subjects: [`${to.name}.>`], duplicate_window: 10 * 60 * 1e9 });
    const subject = values.subject ?? `${to.name}.events`;
    const owner = await jsm.streams.find(subject).catch(() => null);
    if (owner !== to.name) throw new UsageError(`stream ${to.name} does not capture subject ${subject}${owner ? ` (${owner} does)` : ''}: give --subject`);
    const inFlight = new Set<Promise<void>>();
    for (const file of files) {
      const name = file === '-' ? 'stdin' : basename(file);
      const lines = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
      let line = 0;
      for await (const text of lines) {
        line++;
        if (!text.trim()) continue;
        if (!isJsonObject(text)) {
          bad++;
          writeTerminal(process.stderr, `${file === '-' ? '<stdin>' : file}:${line}: not a JSON object: not published\n`);
          continue;
        }
        const msgID = `p-${createHash('sha256').update(`${name}\u0000${line}\u0000${text}`).digest('base64url').slice(0, 32)}`;
        const p = js.publish(subject, text, { msgID, timeout: 10_000 }).then((ack) => {
          if (ack.duplicate) repeats++;
          else published++;
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p)).catch(() => undefined);
        if (inFlight.size >= window) await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
    if (values.end) await js.publish(subject, '', { headers: controlHeaders('end') });
  } finally {
    await nc.drain().catch(() => undefined);
  }
  writeTerminal(process.stderr, `published ${published} events to ${to.name}${repeats ? ` (${repeats} already there: dropped as repeats)` : ''}${bad ? `; ${bad} lines not published (not JSON objects)` : ''}${values.end ? '; end of input marked' : ''}\n`);
  if (published + repeats === 0) return EXIT_UNUSABLE;
  return bad ? EXIT_PARTIAL : EXIT_OK;
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}
