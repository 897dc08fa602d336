// THE one place where a Windows event in the evtx crate's JSON shape (evtx_dump, with or without
// --separate-json-attributes) becomes the flat field names Sigma rules use.
//
// Field names:
//   System → EventID (a number, also when written {"#attributes":{"Qualifiers":..},"#text":N}),
//   Channel, Computer, Provider_Name, Provider_Guid (and any other Provider_<attr>), EventRecordID,
//   Level, Task, Opcode, Keywords, Version, TimeCreated (= SystemTime), ProcessID, ThreadID (from
//   Execution; other Execution attributes as Execution_<attr>), UserID and SecurityUserID (both from
//   Security), Correlation_ActivityID, Correlation_RelatedActivityID; any other System element under
//   its own name, its attributes as <Element>_<attr>. Numeric System values written as decimal
//   strings by some producers become numbers.
//   EventData → every named field at top level (Image, CommandLine, TargetObject, ...). Unnamed
//   <Data> elements ({"Data":{"#text":[..]}}, {"Data":"x"}, [..]) become Data: string[], so keyword
//   searches see them. A value written {"#attributes":..,"#text":v} becomes v; Binary stays Binary.
//   UserData → the fields of its inner element(s) at top level (UserData.LogFileCleared.SubjectUserName
//   → SubjectUserName), one level deep; deeper objects stay objects under their name.
//
// Collisions: the first writer wins, in the order System, EventData, UserData. So System names stay
// System (Channel is always the event's channel, which logsource routing depends on) and payload
// fields only fill names that System does not use. Names are case-sensitive: Sysmon's EventData
// ProcessId and System's Execution ProcessID are different fields and both survive.
// A payload value that loses a collision is still reachable through the nested form, e.g.
// Event.UserData.LogFileCleared.Channel (System 104 "log cleared" events).
//
// The nested original stays reachable as a non-enumerable property `Event` of the flat event:
// `flat.Event.System.EventID` works (dotted names as rules for other products use), but it is not
// iterated by keyword searches, Object.keys, or JSON.stringify, so outputs stay flat and nothing is
// matched twice. It costs one property definition, no copy.

import { setOwn } from '../json/parse-exact.js';
import type { EventValue, LogEvent } from './types.js';

// `obj[key]!` below: a key that for…in yields is an own key of a parsed event, never undefined.
type Obj = { [key: string]: EventValue };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for `{"Event": {"System": {...}, ...}}`, the shape the evtx crate writes. */
export function isWindowsEventShape(obj: unknown): obj is { Event: Obj & { System: Obj } } {
  if (!isObj(obj)) return false;
  const ev = obj.Event;
  return isObj(ev) && isObj(ev.System);
}

/** Flattens Windows-shaped events; every other event is returned unchanged. */
export function normalizeEvent(obj: LogEvent): LogEvent {
  return isWindowsEventShape(obj) ? flattenWindowsEvent(obj) : obj;
}

export function flattenWindowsEvent(event: { Event: Obj & { System: Obj } }): LogEvent {
  const ev = event.Event;
  const out: LogEvent = {};
  flattenSystem(ev.System, out);
  const eventData = ev.EventData;
  if (eventData !== undefined && eventData !== null) flattenPayload(eventData, out);
  const userData = ev.UserData;
  if (isObj(userData)) {
    for (const key in userData) {
      if (isAttributesKey(key)) continue;
      const inner = userData[key]!;
      if (isObj(inner)) flattenPayload(inner, out);
      else put(out, key, inner);
    }
  }
  // anything next to "Event" (a collector's own fields) is kept as is
  for (const key in event) {
    if (key !== 'Event' && key !== 'Event_attributes') put(out, key, (event as Obj)[key]!);
  }
  if (!Object.hasOwn(out, 'Event')) {
    Object.defineProperty(out, 'Event', { value: ev, enumerable: false, writable: true, configurable: true });
  }
  return out;
}

/** First writer wins (see the header). */
function put(out: LogEvent, name: string, value: EventValue): void {
  if (!Object.hasOwn(out, name)) setOwn(out, name, value);
}

function isAttributesKey(key: string): boolean {
  return key === '#attributes' || key.endsWith('_attributes');
}

/** `{"#attributes":..,"#text":v}` → v; other values unchanged. */
function textOf(v: EventValue): EventValue {
  if (isObj(v) && '#text' in v) return v['#text'];
  return v;
}

/** Some producers write System numbers as strings ("4688"); make them numbers like the rest. */
function asNumber(v: EventValue): EventValue {
  if (typeof v === 'string' && v.length > 0 && v.length <= 15 && /^\d+$/.test(v)) return Number(v);
  return v;
}

const NUMERIC_SYSTEM = new Set(['EventID', 'Version', 'Level', 'Task', 'Opcode', 'EventRecordID']);

function flattenSystem(sys: Obj, out: LogEvent): void {
  for (const key in sys) {
    const v = sys[key]!;
    if (key.endsWith('_attributes')) {
      // --separate-json-attributes: "Provider_attributes": {"Name": ..}
      if (isObj(v)) systemAttributes(key.slice(0, -'_attributes'.length), v, out);
      continue;
    }
    if (key === '#attributes') continue;
    if (isObj(v)) {
      const attrs = v['#attributes'];
      if (isObj(attrs)) systemAttributes(key, attrs, out);
      if ('#text' in v) put(out, key, NUMERIC_SYSTEM.has(key) ? asNumber(v['#text']!) : v['#text']!);
      continue;
    }
    if (v === null && (key === 'Correlation' || key === 'Security')) continue; // empty elements
    put(out, key, NUMERIC_SYSTEM.has(key) ? asNumber(v) : v);
  }
}

function systemAttributes(element: string, attrs: Obj, out: LogEvent): void {
  switch (element) {
    case 'EventID': // Qualifiers: reachable through Event.System.EventID
      return;
    case 'TimeCreated':
      for (const a in attrs) put(out, a === 'SystemTime' ? 'TimeCreated' : `TimeCreated_${a}`, attrs[a]!);
      return;
    case 'Execution':
      for (const a in attrs) {
        if (a === 'ProcessID' || a === 'ThreadID') put(out, a, asNumber(attrs[a]!));
        else put(out, `Execution_${a}`, attrs[a]!);
      }
      return;
    case 'Security':
      for (const a in attrs) {
        if (a === 'UserID') {
          put(out, 'UserID', attrs[a]!);
          put(out, 'SecurityUserID', attrs[a]!);
        } else put(out, `Security_${a}`, attrs[a]!);
      }
      return;
    default: // Provider_Name, Provider_Guid, Correlation_ActivityID, ...
      for (const a in attrs) put(out, `${element}_${a}`, attrs[a]!);
  }
}

function flattenPayload(data: EventValue, out: LogEvent): void {
  if (!isObj(data)) {
    // <EventData> holding only text, or a bare list
    addData(data, out);
    return;
  }
  for (const key in data) {
    const v = data[key]!;
    if (key === 'Data') addData(v, out);
    else if (!isAttributesKey(key)) put(out, key, textOf(v));
  }
}

/** Unnamed <Data> elements → Data: string[]; named ones that reach here ({"#attributes":{"Name":..}}) → fields. */
function addData(v: EventValue, out: LogEvent): void {
  if (isObj(v)) {
    const name = dataName(v);
    if (name !== undefined) {
      put(out, name, v['#text'] ?? null);
      return;
    }
    v = v['#text'] ?? null;
  }
  const items = Array.isArray(v) ? v : [v];
  const strings: string[] = [];
  for (const item of items) {
    if (isObj(item)) {
      const name = dataName(item);
      if (name !== undefined) put(out, name, item['#text'] ?? null);
      else strings.push(dataString(item['#text'] ?? null));
    } else strings.push(dataString(item));
  }
  if (strings.length > 0) {
    const existing = out.Data;
    if (Array.isArray(existing)) existing.push(...strings);
    else put(out, 'Data', strings);
  }
}

function dataName(v: Obj): string | undefined {
  const attrs = v['#attributes'];
  const name = isObj(attrs) ? attrs.Name : v['@Name'];
  return typeof name === 'string' ? name : undefined;
}

function dataString(v: EventValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}
