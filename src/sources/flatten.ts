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
//
// EVTX files read by Quarry itself do not go through this walk: render-flat.ts writes the same flat
// event straight from the parsed binary XML, with the naming decisions exported below (put,
// putSystemValue, putSystemAttribute, putDataStrings, ...), so each rule has this one home.

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
export function put(out: LogEvent, name: string, value: EventValue): void {
  if (!Object.hasOwn(out, name)) setOwn(out, name, value);
}

/** Keys that hold attributes, not fields: `#attributes`, and `<Element>_attributes` of --separate-json-attributes. */
export function isAttributesKey(key: string): boolean {
  return key === '#attributes' || key.endsWith('_attributes');
}

/** A payload field's value: `{"#attributes":..,"#text":v}` → v; other values unchanged. */
export function payloadValue(v: EventValue): EventValue {
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
      if ('#text' in v) putSystemValue(out, key, v['#text']!);
      continue;
    }
    if (isEmptySystemElement(key, v)) continue;
    putSystemValue(out, key, v);
  }
}

/** The value of System element `element` (its text) under its own name, the numeric ones as numbers. */
export function putSystemValue(out: LogEvent, element: string, v: EventValue): void {
  put(out, element, NUMERIC_SYSTEM.has(element) ? asNumber(v) : v);
}

/** Empty <Correlation/> and <Security/> elements give no field (other empty System elements give null). */
export function isEmptySystemElement(element: string, v: EventValue): boolean {
  return v === null && (element === 'Correlation' || element === 'Security');
}

function systemAttributes(element: string, attrs: Obj, out: LogEvent): void {
  for (const a in attrs) putSystemAttribute(out, systemAttributeFields(element, a), attrs[a]!);
}

/** How an attribute of a System element becomes fields: their names (none, or two), and whether its value is made a number. */
export interface SystemAttributeFields {
  names: string[];
  numeric: boolean;
}

/** Writes the value of a System attribute as its fields. */
export function putSystemAttribute(out: LogEvent, fields: SystemAttributeFields, v: EventValue): void {
  const value = fields.numeric ? asNumber(v) : v;
  for (const name of fields.names) put(out, name, value);
}

/**
 * The fields of attribute `attr` of System element `element` (see the header). Worked out once per
 * pair: a name made again for every record is a new string that each field write must hash and look
 * up. Hostile files can hold any number of names, so only so many pairs are kept.
 */
export function systemAttributeFields(element: string, attr: string): SystemAttributeFields {
  let byAttr = fieldsByName.get(element);
  let fields = byAttr?.get(attr);
  if (fields !== undefined) return fields;
  fields = attributeFields(element, attr);
  if (fieldsKept < MAX_FIELDS_KEPT) {
    if (!byAttr) fieldsByName.set(element, (byAttr = new Map()));
    byAttr.set(attr, fields);
    fieldsKept++;
  }
  return fields;
}

const fieldsByName = new Map<string, Map<string, SystemAttributeFields>>();
const MAX_FIELDS_KEPT = 4096;
let fieldsKept = 0;

function attributeFields(element: string, attr: string): SystemAttributeFields {
  switch (element) {
    case 'EventID': // Qualifiers: reachable through Event.System.EventID
      return { names: [], numeric: false };
    case 'TimeCreated':
      return { names: [attr === 'SystemTime' ? 'TimeCreated' : `TimeCreated_${attr}`], numeric: false };
    case 'Execution':
      return attr === 'ProcessID' || attr === 'ThreadID' ? { names: [attr], numeric: true } : { names: [`Execution_${attr}`], numeric: false };
    case 'Security':
      return attr === 'UserID' ? { names: ['UserID', 'SecurityUserID'], numeric: false } : { names: [`Security_${attr}`], numeric: false };
    default: // Provider_Name, Provider_Guid, Correlation_ActivityID, ...
      return { names: [`${element}_${attr}`], numeric: false };
  }
}

/** The fields of an EventData element, or of UserData's inner element, given as its JSON value. */
export function flattenPayload(data: EventValue, out: LogEvent): void {
  if (!isObj(data)) {
    // <EventData> holding only text, or a bare list
    addData(data, out);
    return;
  }
  for (const key in data) {
    const v = data[key]!;
    if (key === 'Data') addData(v, out);
    else if (!isAttributesKey(key)) put(out, key, payloadValue(v));
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
  if (strings.length > 0) putDataStrings(out, strings);
}

/**
 * Adds the strings of unnamed <Data> elements: to the Data list an earlier payload made, else as Data
 * (first writer wins). Returns the list they went to (later strings of the same payload belong
 * there too), or null when Data is another writer's value.
 */
export function putDataStrings(out: LogEvent, strings: string[]): string[] | null {
  const existing = out.Data;
  if (Array.isArray(existing)) {
    existing.push(...strings);
    return existing as string[];
  }
  if (Object.hasOwn(out, 'Data')) return null;
  setOwn(out, 'Data', strings);
  return strings;
}

function dataName(v: Obj): string | undefined {
  const attrs = v['#attributes'];
  const name = isObj(attrs) ? attrs.Name : v['@Name'];
  return typeof name === 'string' ? name : undefined;
}

/** An unnamed <Data> element's value as one of the Data strings. */
export function dataString(v: EventValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}
