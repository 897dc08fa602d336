// `quarry publish`: JSON events into a JetStream stream, for replays and for trying the NATS
// topology without a log shipper. Each event is published as one JSON object (big integers kept
// exact), with a message id from its file, position and content, so a publish retried after a
// failure stores the event once; `--end` then marks the end of input (the partitions finish their windows, as a
// hunt does at the end of its files).
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { controlHeaders, ensureStream, parseNatsUrl } from '../runtime/nats/nats-broker.js';
import { UsageError } from './usage.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { writeTerminal } from '../report/terminal-text.js';
import { readJsonEvents } from '../sources/json-reader.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE } from './exit-codes.js';

const HELP = `Usage: quarry publish --to nats://HOST:PORT/STREAM [--subject S] [--end] [FILE…|-]

Publishes JSON events (NDJSON, a JSON array, or objects one after another, as 'quarry hunt' reads
them; - or no FILE: standard input), one message per event, to a NATS JetStream stream, made
(capturing STREAM.>) when absent, for 'quarry serve --input nats://HOST:PORT/STREAM'. Unreadable
records are reported with file:line (the first 3 per file; -v: all) and not published.
  --to URL       the stream
  --subject S    the subject to publish on (default STREAM.events)
  --end          after the events, mark the end of input: the correlate stage then finishes its
                 open windows, as a hunt does at the end of its files (a replay's last step)
  --window N     publishes awaiting the broker's confirmation at once (default 512)
  -v, --verbose  list every unreadable record
Each event's message id comes from its file name, position and content: publishing the same file again
within the stream's duplicate window stores nothing new (the count of repeats is printed).
`;

export async function publishCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { to: { type: 'string' }, subject: { type: 'string' }, end: { type: 'boolean' }, window: { type: 'string', default: '512' }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
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
  const verbose = values.verbose ?? false;
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
      // Quarry's JSON reader: NDJSON, a JSON array, or objects one after another, as `quarry hunt` reads them.
      const source = readJsonEvents(file === '-' ? '<stdin>' : file, file === '-' ? process.stdin : createReadStream(file), { normalize: false });
      for await (const r of source.records()) {
        const text = stringifyExact(r.event);
        const msgID = `p-${createHash('sha256').update(`${name}\u0000${r.location.record}\u0000${text}`).digest('base64url').slice(0, 32)}`;
        const p = js.publish(subject, text, { msgID, timeout: 10_000 }).then((ack) => {
          if (ack.duplicate) repeats++;
          else published++;
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p)).catch(() => undefined);
        if (inFlight.size >= window) await Promise.race(inFlight);
      }
      bad += source.problemCount;
      for (const problem of source.problems.slice(0, verbose ? undefined : 3)) writeTerminal(process.stderr, `${problem.location.file}${problem.location.line ? `:${problem.location.line}` : ''}: ${problem.message}: not published\n`);
      if (!verbose && source.problemCount > 3) writeTerminal(process.stderr, `${file}: ${source.problemCount - 3} more unreadable records (-v lists them)\n`);
    }
    await Promise.all(inFlight);
    if (values.end) await js.publish(subject, '', { headers: controlHeaders('end') });
  } finally {
    await nc.drain().catch(() => undefined);
  }
  writeTerminal(process.stderr, `published ${published} events to ${to.name}${repeats ? ` (${repeats} already there: dropped as repeats)` : ''}${bad ? `; ${bad} unreadable records not published` : ''}${values.end ? '; end of input marked' : ''}\n`);
  if (published + repeats === 0) return EXIT_UNUSABLE;
  return bad ? EXIT_PARTIAL : EXIT_OK;
}

