// `quarry publish`'s sending: many events awaiting the broker's confirmation at once (a window),
// none lost and none stored twice when confirmations do not come. Every event carries a message id,
// so an event sent again after a timeout whose first attempt did land is dropped by the stream as a
// repeat; the stream answers a repeat with the sequence of the copy it holds, which tells a copy
// stored by this run (after the run began) from one an earlier run stored.
//
// A failure that can clear (a timeout, a dropped connection, JetStream without a leader: retry.ts)
// stops the sending: what is in flight is awaited, then the events not confirmed are sent again, in
// their order, with jittered backoff and one log line per retry, for up to OUTAGE_MS, then the run
// gives up (the events confirmed so far stay; running it again stores only the others, within the
// stream's duplicate window). A refusal (a message too large, a stream that rejects it) ends the run at once.
import type { PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { OUTAGE_MS, realClock, retry, transientReason, type RetryClock } from './retry.js';

export interface Outgoing {
  subject: string;
  data: string | Uint8Array;
  msgID: string;
  headers?: MsgHdrs;
  /** A control message (the end of input), not an event: sent and retried alike, not counted. */
  control?: boolean;
}

/** The part of the JetStream client that publishes (a fake in the unit tests). */
export interface PublishClient {
  publish(subject: string, data: string | Uint8Array, options: { msgID: string; timeout: number; headers?: MsgHdrs }): Promise<PubAck>;
}

export interface EventPublisherOptions {
  /** Events awaiting confirmation at once. */
  window: number;
  /** The stream's last sequence when the run began: a repeat held at a later sequence was stored by this run. */
  storedAfter: number;
  log: Logger;
  /** How long a confirmation is awaited (default 10 s). */
  ackTimeoutMs?: number;
  /** How long an outage is retried (default OUTAGE_MS). */
  outageMs?: number;
  clock?: RetryClock;
}

interface Unconfirmed {
  m: Outgoing;
  order: number;
  error: unknown;
}

export class EventPublisher {
  /** Events the stream stored from this run (including those whose first confirmation was lost). */
  stored = 0;
  /** Events the stream held before this run began (dropped as repeats). */
  repeats = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failed: Unconfirmed[] = [];
  private refused: { error: unknown } | null = null;
  private sent = 0;

  constructor(
    private readonly js: PublishClient,
    private readonly o: EventPublisherOptions,
  ) {}

  /** Sends one event; waits while the window is full, and through an outage (throws when it lasts too long, or on a refusal). */
  async send(m: Outgoing): Promise<void> {
    this.start(m, this.sent++);
    if (this.inFlight.size >= this.o.window) await Promise.race(this.inFlight);
    if (this.failed.length || this.refused) await this.recover();
  }

  /** Waits until every event sent is confirmed (retrying as `send` does). */
  async flush(): Promise<void> {
    await this.recover();
  }

  private start(m: Outgoing, order: number): void {
    const p = this.js.publish(m.subject, m.data, { msgID: m.msgID, timeout: this.o.ackTimeoutMs ?? 10_000, ...(m.headers ? { headers: m.headers } : {}) }).then(
      (ack) => {
        if (m.control) return;
        if (ack.duplicate && ack.seq <= this.o.storedAfter) this.repeats++;
        else this.stored++;
      },
      (error: unknown) => {
        if (transientReason(error) === null) this.refused ??= { error };
        else this.failed.push({ m, order, error });
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  /**
   * Awaits what is in flight; while some of it failed, sends it again (same ids, first sent first)
   * after the retry helper's wait. A refusal is thrown (by `retry`, named) without another attempt.
   */
  private async recover(): Promise<void> {
    const clock = this.o.clock ?? realClock;
    const budgetMs = this.o.outageMs ?? OUTAGE_MS;
    // Read by the log line of each retry (the helper copies the fields when it logs).
    const status = { unconfirmed: 0 };
    let again = false;
    await retry(
      async () => {
        if (again) {
          const round = this.failed.sort((a, b) => a.order - b.order);
          this.failed = [];
          for (const u of round) this.start(u.m, u.order);
        }
        again = true;
        await this.settle();
        if (this.refused) throw this.refused.error;
        status.unconfirmed = this.failed.length;
        if (this.failed.length) throw this.failed[0]!.error;
      },
      { what: 'publishing', until: clock.now() + budgetMs, budgetMs, classify: transientReason, log: this.o.log, fields: status, clock },
    );
  }
}
