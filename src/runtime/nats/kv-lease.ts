// A partition's lease in the key-value bucket: the key `lease.pN` holds the owner and the moment
// the lease expires; every write is a compare-and-set on the key's revision, so two workers can
// never both believe they renewed it.
import type { KV } from '@nats-io/kv';
import type { Lease } from '../topology/broker.js';
import { isWrongLastSequence } from './nats-setup.js';

/** What a lease needs of the bucket (a fake in the unit tests). */
export type LeaseKv = Pick<KV, 'get' | 'create' | 'update' | 'delete'>;

/** Takes the lease when it is free, expired or already ours; null when someone else holds it. */
export async function acquireLease(kv: LeaseKv, p: number, owner: string, ttlMs: number, now: () => number = Date.now): Promise<Lease | null> {
  const key = `lease.p${p}`;
  // Each write's value is unique (owner and expiry to the millisecond): a write whose answer was
  // lost can be recognised in the key afterwards. The last few unconfirmed ones are kept.
  let unconfirmed: string[] = [];
  const value = () => {
    const v = JSON.stringify({ owner, until: now() + ttlMs });
    unconfirmed = [...unconfirmed.slice(-7), v];
    return v;
  };
  let rev: number;
  try {
    const e = await kv.get(key);
    if (!e || e.operation !== 'PUT') rev = await kv.create(key, value());
    else {
      const held = e.json<{ owner: string; until: number }>();
      if (held.owner !== owner && held.until > now()) return null;
      rev = await kv.update(key, value(), e.revision);
    }
  } catch {
    // Someone else took it between our read and write, or the broker is away: the next round
    // tries again (a write of ours that did land shows our name, so it is taken back then).
    return null;
  }
  unconfirmed = [];
  return {
    partition: p,
    async renew() {
      try {
        rev = await kv.update(key, value(), rev);
        unconfirmed = [];
        return true;
      } catch (e) {
        // Anything but a wrong revision (a timeout, the broker away) is retried next round, and the
        // lease lapses on its own if it lasts.
        if (!isWrongLastSequence(e)) return true;
        // A wrong revision: another owner wrote the key, or an earlier renewal of ours landed while
        // its answer was lost (a timeout under load), leaving `rev` behind. The key tells which.
        const held = await kv.get(key).catch(() => null);
        if (held?.operation === 'PUT' && unconfirmed.includes(held.string())) {
          rev = held.revision;
          unconfirmed = [];
          return true;
        }
        return false;
      }
    },
    async release() {
      await kv.delete(key, { previousSeq: rev }).catch(() => undefined);
    },
  };
}
