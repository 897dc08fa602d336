// Retrying calls to NATS: which failures another attempt can cure, and the bounded, jittered
// backoff between attempts. A worker starting beside a broker that is itself starting (or slow
// under load) must wait for it, not exit; a worker given a wrong setting must say so at once,
// not after its whole patience.
//
// How @nats-io v3 reports failures (read from its error classes, checked against nats-server):
//   timeout                TimeoutError ("timeout"): a request, a JetStream API call or publish
//                          ack, or the connection's handshake, not answered in time;
//   no responders          RequestError caused by NoRespondersError (503: nobody subscribes to
//                          $JS.API.…, JetStream is not up yet), which the JetStream client rethrows
//                          as JetStreamNotEnabled("jetstream is not enabled") with it as the cause;
//   connection             ConnectionError("connection refused", cause ECONNREFUSED) at the first
//                          connect; other socket errors come as node's own, with their code;
//   JetStream API errors   JetStreamApiError with the server's err_code: 10008 "JetStream system
//                          temporarily unavailable" and 10009 "cluster can not handle request" (no
//                          leader yet) pass; every other code is a refusal (subjects overlap 10065,
//                          name in use with another configuration 10058, JetStream not enabled
//                          for the account 10039, …);
//   refusals               AuthorizationError, PermissionViolationError (the cause of a request's
//                          RequestError), InvalidArgumentError, and Quarry's own errors.
import { ConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { Logger } from '../log.js';

/** Socket errors that mean "not there yet" or "went away", not "wrong address". */
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EPIPE', 'EAI_AGAIN']);
/** JetStream API errors that clear on their own (nats-server's errors.json). */
const TRANSIENT_API_CODES = new Set([10008, 10009]);

/**
 * Why another attempt may succeed ('timeout', 'no responders', 'connection refused', …), or null
 * when the failure is a refusal that retrying cannot change. Looks through the error's causes.
 */
export function transientReason(e: unknown): string | null {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    if (c instanceof TimeoutError) return 'timeout';
    if (c instanceof NoRespondersError) return 'no responders (JetStream not ready)';
    if (c instanceof JetStreamApiError) return TRANSIENT_API_CODES.has(c.code) ? `JetStream unavailable (${c.code})` : null;
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code)) return code;
    if (c instanceof ConnectionError && c.message === 'connection refused') return 'connection refused';
    // The connection dropped while the request waited (the client reconnects on its own).
    if (c instanceof RequestError && c.message === 'connection disconnected') return 'disconnected';
  }
  return null;
}

/**
 * How long sending is retried once started (a worker's publishes and trims, `quarry publish`'s events)
 * before giving up: a broker restart or a leader election is waited for, a broker gone for good is not.
 */
export const OUTAGE_MS = 120_000;

/** Time and chance, replaceable in tests (a fake clock: no real waiting). */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const realClock: RetryClock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: Math.random };

export interface RetryOptions {
  /** What is being done, for the log and the final error ("creating the stream EVENTS"). */
  what: string;
  /** The clock time after which no new attempt starts (several steps can share one deadline). */
  until: number;
  /** How long the deadline allowed, for the final error's wording. */
  budgetMs: number;
  /** Why a failure is worth another attempt (logged), or null: a refusal, thrown at once. */
  classify(e: unknown): string | null;
  log: Logger;
  fields?: Record<string, unknown>;
  /** First wait (doubled after each failure up to maxWaitMs); default 100. */
  firstWaitMs?: number;
  maxWaitMs?: number;
  clock?: RetryClock;
}

/** The error of a retried call that kept failing until its deadline. */
export class RetryExhaustedError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    options: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RetryExhaustedError';
  }
}

/**
 * Calls `f` until it succeeds. A failure `classify` calls transient is logged (warn, with the attempt and the
 * wait) and tried again after a jittered wait: between half and all of a step that doubles from
 * `firstWaitMs` to `maxWaitMs` (workers that failed together do not come back together), never past
 * the deadline. Once the deadline has passed the last failure is thrown as a RetryExhaustedError;
 * any other failure is thrown at once, named by `what`.
 */
export async function retry<T>(f: () => Promise<T>, o: RetryOptions): Promise<T> {
  const clock = o.clock ?? realClock;
  const maxWait = o.maxWaitMs ?? 2000;
  let step = o.firstWaitMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      const reason = (e as Error)?.message ?? String(e);
      const transient = o.classify(e);
      if (transient === null) throw new Error(`${o.what}: ${reason}`, { cause: e });
      const left = o.until - clock.now();
      if (left <= 0) throw new RetryExhaustedError(`${o.what} still failing after ${formatSpan(o.budgetMs)} (${attempt} attempts): ${reason}`, attempt, { cause: e });
      const wait = Math.min(left, Math.round(step / 2 + clock.random() * (step / 2)));
      o.log('warn', `${o.what} failed; retrying`, { ...o.fields, attempt, retryInMs: wait, transient, reason });
      await clock.sleep(wait);
      step = Math.min(step * 2, maxWait);
    }
  }
}

/** A start step: `what` names it in the log and in the error; `f` is safe to call again. */
export type Step = <T>(what: string, f: () => Promise<T>) => Promise<T>;

/**
 * Steps that share one deadline, `budgetMs` from now (`--start-timeout`): each is retried on a failure
 * `transientReason` calls transient until then, and a refusal ends it at once.
 */
export function stepsWithin(budgetMs: number, log: Logger, fields?: Record<string, unknown>, clock: RetryClock = realClock): Step {
  const until = clock.now() + budgetMs;
  return (what, f) => retry(f, { what, until, budgetMs, classify: transientReason, log, fields, clock });
}

function formatSpan(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
