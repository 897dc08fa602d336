// `quarry publish`: JSON events into a JetStream stream, for replays and for trying the NATS
// topology without a log shipper. Each event is published as one JSON object (big integers kept
// exact), with a message id from its file, position and content, so a publish retried after a
// failure stores the event once; `--end` then marks the end of input (the partitions finish their windows, as a
// hunt does at the end of its files). Connecting and finding the stream are retried within
// --start-timeout as `quarry serve`'s start is (nats/retry.ts); sending, through an outage
// (nats/event-publisher.ts). Retries are lines on standard error, as the rest of its output.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { controlHeaders, ensureStream, parseNatsUrl, type NatsAddress } from '../runtime/nats/nats-broker.js';
import { connectRetrying, findStream } from '../runtime/nats/nats-setup.js';
import { stepsWithin, type Step } from '../runtime/nats/retry.js';
import { EventPublisher } from '../runtime/nats/event-publisher.js';
import type { Logger } from '../runtime/log.js';
import { timespanToMs } from '../sigma/parse-document.js';
import { UsageError } from './usage.js';
import { natsStartError } from './nats-start-error.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { writeTerminal } from '../report/terminal-text.js';
import { readJsonEvents } from '../sources/json-reader.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE } from './exit-codes.js';

const HELP = `Usage: quarry publish --to nats://HOST:PORT/STREAM [--subject S] [--end] [--start-timeout SPAN] [FILE…|-]

Publishes JSON events (NDJSON, a JSON array, or objects one after another, as 'quarry hunt' reads
them; - or no FILE: standard input), one message per event, to a NATS JetStream stream, made
(capturing STREAM.>) when absent, for 'quarry serve --input nats://HOST:PORT/STREAM'. Unreadable
records are reported with file:line (the first 3 per file; -v: all) and not published.
  --to URL       the stream
  --subject S    the subject to publish on (default STREAM.events)
  --end          after the events, mark the end of input: the correlate stage then finishes its
                 open windows, as a hunt does at the end of its files (a replay's last step)
  --window N     publishes awaiting the broker's confirmation at once (default 512)
  --start-timeout SPAN
                 how long connecting and making or finding the stream keep retrying a broker that
                 is not up or not answering yet (default 30s); a setting the broker refuses fails
                 at once
  -v, --verbose  list every unreadable record
Each event's message id comes from its file name, position and content: publishing the same file again
within the stream's duplicate window stores nothing new (the count of repeats is printed). Events whose
confirmation does not come (a timeout, a broker restarting) are sent again with the same ids, for up
to 2 minutes; each retry is one line on standard error.
`;

export async function publishCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { to: { type: 'string' }, subject: { type: 'string' }, end: { type: 'boolean' }, window: { type: 'string', default: '512' }, 'start-timeout': { type: 'string', default: '30s' }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
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
  const startTimeoutMs = timespanToMs(values['start-timeout']!);
  if (startTimeoutMs === null || startTimeoutMs <= 0) throw new UsageError(`--start-timeout must be a number followed by s, m, h, d, w, M or y (like 10s), not '${values['start-timeout']}'`);
  const files = positionals.length ? positionals : ['-'];
  const verbose = values.verbose ?? false;
  requireExistingPaths(files.filter((f) => f !== '-'), 'input');
  const subject = values.subject ?? `${to.name}.events`;
  const step = stepsWithin(startTimeoutMs, retryLog);
  const nc = await connectRetrying(to.server, 'quarry-publish', step).catch((e: Error) => {
    throw natsStartError(to.server, e, values['start-timeout']!);
  });
  let events: EventPublisher;
  let bad = 0;
  let ok = false;
  try {
    const storedAfter = await streamFor(nc, to, subject, step).catch((e: Error) => {
      throw e instanceof UsageError ? e : natsStartError(to.server, e, values['start-timeout']!);
    });
    const publisher = new EventPublisher(jetstream(nc), { window, storedAfter, log: retryLog });
    events = publisher;
    // Gave up while sending (an outage past its bound, a refusal): what is stored stays, and a
    // second run adds only the rest (same ids).
    const sending = (p: Promise<void>) =>
      p.catch((e: Error) => {
        throw new UsageError(`NATS at ${to.server}: ${e.message}; ${publisher.stored} events stored before it (publishing the same files again within the stream's duplicate window adds only the others)`);
      });
    for (const file of files) {
      const name = file === '-' ? 'stdin' : basename(file);
      // Quarry's JSON reader: NDJSON, a JSON array, or objects one after another, as `quarry hunt` reads them.
      const source = readJsonEvents(file === '-' ? '<stdin>' : file, file === '-' ? process.stdin : createReadStream(file), { normalize: false });
      for await (const r of source.records()) {
        const text = stringifyExact(r.event);
        const msgID = `p-${createHash('sha256').update(`${name}\u0000${r.location.record}\u0000${text}`).digest('base64url').slice(0, 32)}`;
        await sending(publisher.send({ subject, data: text, msgID }));
      }
      bad += source.problemCount;
      for (const problem of source.problems.slice(0, verbose ? undefined : 3)) writeTerminal(process.stderr, `${problem.location.file}${problem.location.line ? `:${problem.location.line}` : ''}: ${problem.message}: not published\n`);
      if (!verbose && source.problemCount > 3) writeTerminal(process.stderr, `${file}: ${source.problemCount - 3} more unreadable records (-v lists them)\n`);
    }
    await sending(publisher.flush());
    // Its own id (one per run): sent again after a lost confirmation, it is still one end.
    if (values.end) await sending(publisher.send({ subject, data: '', msgID: `end-${randomUUID()}`, headers: controlHeaders('end'), control: true }));
    await sending(publisher.flush());
    ok = true;
  } finally {
    // Drained when all went well; closed otherwise (draining waits on a broker that may be gone).
    await (ok ? nc.drain() : nc.close()).catch(() => undefined);
  }
  const published = events.stored;
  const repeats = events.repeats;
  writeTerminal(process.stderr, `published ${published} events to ${to.name}${repeats ? ` (${repeats} already there: dropped as repeats)` : ''}${bad ? `; ${bad} unreadable records not published` : ''}${values.end ? '; end of input marked' : ''}\n`);
  if (published + repeats === 0) return EXIT_UNUSABLE;
  return bad ? EXIT_PARTIAL : EXIT_OK;
}

/**
 * Makes or finds the stream, checks that it captures the subject, and returns its last sequence
 * before this run (a repeat held after it was stored by this run). Each step retried by `step`.
 */
async function streamFor(nc: NatsConnection, to: NatsAddress, subject: string, step: Step): Promise<number> {
  const jsm = await step('reaching JetStream', () => jetstreamManager(nc));
  const info = await step(`making or finding the stream ${to.name}`, () => ensureStream(jsm, { name: to.name, subjects: [`${to.name}.>`], duplicate_window: 10 * 60 * 1e9 }));
  const owner = await step(`finding the stream of ${subject}`, () => findStream(jsm, subject));
  if (owner !== to.name) throw new UsageError(`stream ${to.name} does not capture subject ${subject}${owner ? ` (${owner} does)` : ''}: give --subject`);
  return info.state.last_seq;
}

/**
 * The retries' lines (the only calls the retry helper makes), one each on standard error:
 * `quarry publish: connecting failed; retrying in 180 ms (attempt 2: connection refused)`.
 */
const retryLog: Logger = (_level, msg, f = {}) => {
  const why = f.transient !== undefined && f.transient !== f.reason ? `, ${String(f.transient)}: ${String(f.reason)}` : `: ${String(f.reason)}`;
  const unconfirmed = f.unconfirmed ? `; ${String(f.unconfirmed)} events awaiting confirmation` : '';
  writeTerminal(process.stderr, f.attempt === undefined ? `quarry publish: ${msg}\n` : `quarry publish: ${msg} in ${String(f.retryInMs)} ms (attempt ${String(f.attempt)}${why}${unconfirmed})\n`);
};
