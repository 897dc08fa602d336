// What the scaled-out service needs from a broker. The stages (detect-stage.ts, correlate-stage.ts)
// are written against this, NATS JetStream implements it (runtime/nats/); a Kafka adapter would
// implement the same (events: a consumer group; partitions: a topic's partitions; leases and
// snapshots: a compacted topic or an external store with compare-and-set).

/** An event from the shared events stream. */
export interface EventMessage {
  /** Position in the events stream (monotonic, gap-free per stream for a broker that has one). */
  seq: number;
  data: Uint8Array;
  /** A control message instead of an event ('end': the replay's input ended). */
  control?: 'end';
  /** Done: the broker will not deliver it again. Only after everything it produced is confirmed. */
  ack(): Promise<void>;
  /** Still being worked on (waiting for earlier events): postpone redelivery. */
  working(): void;
}

export interface PartitionMessage {
  /** Position in the partitions' log: increasing within a partition. */
  seq: number;
  data: Uint8Array;
  /** Records after this one already in the partition (0: caught up). */
  pending: number;
}

/** A lease on a partition: held until it expires unless renewed; renew() is false once it is lost. */
export interface Lease {
  readonly partition: number;
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/** A partition's saved state, and the token a write must present (compare-and-set). */
export interface StoredSnapshot {
  data: Uint8Array | null;
  token: number;
}

export interface Broker {
  /** Events for the detect stage, shared by every detect worker, in batches of at most `max`. */
  events(max: number, signal: AbortSignal): AsyncIterable<EventMessage[]>;
  /** The highest position below which every event is acknowledged (all detect workers). */
  eventsDoneThrough(): Promise<number>;
  /** Publishes a detection; resolves once the broker has it (a repeated id is dropped by the broker). */
  publishDetection(id: string, line: string): Promise<void>;
  publishRecord(partition: number, id: string, data: Uint8Array): Promise<void>;
  /** A partition's records after `position`, in order, until the signal aborts. */
  partition(p: number, position: number, signal: AbortSignal): AsyncIterable<PartitionMessage>;
  /** Records up to and including `position` are no longer needed (the partition's acknowledgement). */
  trimPartition(p: number, position: number): Promise<void>;
  /** Takes the lease when it is free or expired; null when someone else holds it. */
  acquire(p: number, owner: string, ttlMs: number): Promise<Lease | null>;
  /** Announces a live worker of a stage; returns how many are live (for a fair share of partitions). */
  heartbeat(stage: 'correlate', worker: string, ttlMs: number): Promise<number>;
  readSnapshot(p: number): Promise<StoredSnapshot>;
  /** Writes when `token` is still current; returns the new token, or null when another owner wrote since (fenced). */
  writeSnapshot(p: number, data: Uint8Array, token: number): Promise<number | null>;
  close(): Promise<void>;
}

/** How the topology is laid out: fixed when it is first created (partitions cannot change under live state). */
export interface TopologyConfig {
  partitions: number;
}
