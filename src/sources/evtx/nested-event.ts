// The hidden `Event` (flatten.ts) of flat events that come without it: those render-flat.ts makes,
// and those that crossed a thread (a structured clone keeps no hidden property). It is built on first
// access by parsing the record's chunk again from the file: rules seldom read `Event.System.…`, and
// keeping each chunk's bytes for it would hold the whole file in memory when the events are kept.
//
// One getter and setter serve every event, and where each event's record lies is kept aside, so
// that giving an event its `Event` does not give it an object shape of its own (a getter made per
// event would), which every rule's field reads would pay for.
import { closeSync, openSync, readSync } from 'node:fs';
import type { LogEvent } from '../types.js';
import { parseChunk } from './chunk.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from './file-header.js';

interface Place {
  from: NestedEvents;
  file: string;
  chunk: number;
  /** file offset of the record */
  offset: number;
}

const places = new WeakMap<object, Place>();

/** A plain hidden `Event` (what flatten.ts defines), replacing the getter. */
function define(flat: object, value: unknown): void {
  Object.defineProperty(flat, 'Event', { value, enumerable: false, writable: true, configurable: true });
}

const accessor: PropertyDescriptor = {
  get(this: object) {
    const place = places.get(this);
    if (!place) return undefined; // read through another object that inherits from the event
    const value = place.from.event(place.file, place.chunk, place.offset);
    define(this, value);
    return value;
  },
  set(this: object, value: unknown) {
    define(this, value);
  },
  enumerable: false,
  configurable: true,
};

/** Builds nested events for one reader of records (in file order: the chunk parsed last is kept). */
export class NestedEvents {
  private last: { file: string; chunk: number; events: Map<number, Record<string, unknown>> } | null = null;

  /** Gives `flat` the hidden `Event` of the record at `offset` (chunk `chunk` of `file`), built when first read. */
  attach(flat: LogEvent, file: string, chunk: number, offset: number): void {
    places.set(flat, { from: this, file, chunk, offset });
    Object.defineProperty(flat, 'Event', accessor);
  }

  /** The nested `Event` of the record at `offset`, parsing its chunk again. */
  event(file: string, chunk: number, offset: number): unknown {
    if (!this.last || this.last.file !== file || this.last.chunk !== chunk) {
      const at = FILE_HEADER_SIZE + chunk * CHUNK_SIZE;
      const buf = Buffer.alloc(CHUNK_SIZE);
      const fd = openSync(file, 'r');
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK_SIZE, at);
      } finally {
        closeSync(fd);
      }
      const parsed = parseChunk(buf.subarray(0, n), { file, chunk, offset: at, expected: true, json: true, xml: false });
      this.last = { file, chunk, events: new Map(parsed.records.map((r) => [r.offset, r.event])) };
    }
    const event = this.last.events.get(offset);
    if (!event) throw new Error(`${file}: the record at offset ${offset} cannot be read again (the file changed during the hunt?)`);
    return event.Event;
  }
}
