import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenWindowsEvent, isWindowsEventShape, normalizeEvent } from '../../src/sources/flatten.js';
import type { LogEvent } from '../../src/sources/types.js';

// Shapes as the evtx crate writes them (after its own test snapshots), with made-up values.
const system = {
  Provider: { '#attributes': { Name: 'Service Control Manager', Guid: '{555908d1-a6d7-4695-8e1e-26931d2012f4}', EventSourceName: 'Service Control Manager' } },
  EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7045 },
  Version: 0,
  Level: 4,
  Task: 0,
  Opcode: 0,
  Keywords: '0x8080000000000000',
  TimeCreated: { '#attributes': { SystemTime: '2021-01-01T10:00:00.000000Z' } },
  EventRecordID: 42,
  Correlation: { '#attributes': { ActivityID: '{A}', RelatedActivityID: '{B}' } },
  Execution: { '#attributes': { ProcessID: 640, ThreadID: 700, ProcessorID: 1 } },
  Channel: 'System',
  Computer: 'host1',
  Security: { '#attributes': { UserID: 'S-1-5-21-1' } },
};

test('System fields: EventID with Qualifiers, Provider, Execution, Security, Correlation', () => {
  const flat = flattenWindowsEvent({ Event: { System: system, EventData: { ServiceName: 'evil', ImagePath: 'C:\\x.exe' } } });
  assert.deepEqual(
    { ...flat },
    {
      Provider_Name: 'Service Control Manager',
      Provider_Guid: '{555908d1-a6d7-4695-8e1e-26931d2012f4}',
      Provider_EventSourceName: 'Service Control Manager',
      EventID: 7045,
      Version: 0,
      Level: 4,
      Task: 0,
      Opcode: 0,
      Keywords: '0x8080000000000000',
      TimeCreated: '2021-01-01T10:00:00.000000Z',
      EventRecordID: 42,
      Correlation_ActivityID: '{A}',
      Correlation_RelatedActivityID: '{B}',
      ProcessID: 640,
      ThreadID: 700,
      Execution_ProcessorID: 1,
      Channel: 'System',
      Computer: 'host1',
      UserID: 'S-1-5-21-1',
      SecurityUserID: 'S-1-5-21-1',
      ServiceName: 'evil',
      ImagePath: 'C:\\x.exe',
    },
  );
});

test('--separate-json-attributes shape and System numbers written as strings', () => {
  const flat = flattenWindowsEvent({
    Event_attributes: { xmlns: 'x' },
    Event: {
      System: {
        Provider_attributes: { Name: 'MSExchange CmdletLogs' },
        EventID_attributes: { Qualifiers: '16384' },
        EventID: '1',
        Level: '4',
        Task: '1',
        Keywords: '0x80000000000000',
        TimeCreated_attributes: { SystemTime: '2021-11-19T16:52:33.833733500Z' },
        EventRecordID: '3229',
        Execution_attributes: { ProcessID: '5', ThreadID: '6' },
        Channel: 'MSExchange Management',
        Computer: 'WEC.ave.local',
        Security: null,
        Correlation: null,
      },
      EventData: null,
    },
  } as any);
  assert.deepEqual(
    { ...flat },
    {
      Provider_Name: 'MSExchange CmdletLogs',
      EventID: 1,
      Level: 4,
      Task: 1,
      Keywords: '0x80000000000000',
      TimeCreated: '2021-11-19T16:52:33.833733500Z',
      EventRecordID: 3229,
      ProcessID: 5,
      ThreadID: 6,
      Channel: 'MSExchange Management',
      Computer: 'WEC.ave.local',
    },
  );
});

test('unnamed Data elements become Data: string[] in every spelling', () => {
  const ev = (EventData: unknown) => ({ ...flattenWindowsEvent({ Event: { System: { EventID: 400, Channel: 'Windows PowerShell' }, EventData } } as any) });
  assert.deepEqual(ev({ Data: { '#text': ['Available', 'None', '\tNewEngineState=Available'] }, Binary: null }), {
    EventID: 400,
    Channel: 'Windows PowerShell',
    Data: ['Available', 'None', '\tNewEngineState=Available'],
    Binary: null,
  });
  assert.deepEqual(ev({ Data: { '#text': 'one long string' } }).Data, ['one long string']);
  assert.deepEqual(ev({ Data: 'bare' }).Data, ['bare']);
  assert.deepEqual(ev({ Data: ['a', 2, null, 18446744073709551615n] }).Data, ['a', '2', '', '18446744073709551615']);
  assert.deepEqual(ev('text only').Data, ['text only']);
  // named Data as other converters write it (xmltodict / attributes kept)
  assert.deepEqual(
    ev({ Data: [{ '#attributes': { Name: 'TargetUserName' }, '#text': 'bob' }, { '@Name': 'LogonType', '#text': '3' }, { '#text': 'loose' }] }),
    { EventID: 400, Channel: 'Windows PowerShell', TargetUserName: 'bob', LogonType: '3', Data: ['loose'] },
  );
  assert.deepEqual(ev({ Binary: '0A0B' }).Binary, '0A0B');
});

test('EventData values with attributes and text become the text; nested objects stay objects', () => {
  const flat = flattenWindowsEvent({
    Event: { System: { EventID: 1 }, EventData: { Url: { '#attributes': { scheme: 'http' }, '#text': 'http://a/' }, Nested: { a: 1 }, Empty: null } },
  } as any);
  assert.equal(flat.Url, 'http://a/');
  assert.deepEqual(flat.Nested, { a: 1 });
  assert.equal(flat.Empty, null);
  assert.ok(Object.hasOwn(flat, 'Empty'));
});

test('UserData: inner element fields at top level, attributes skipped, one level deep', () => {
  const flat = flattenWindowsEvent({
    Event: {
      System: { ...system, EventID: 104, Provider: { '#attributes': { Name: 'Microsoft-Windows-Eventlog' } } },
      UserData: {
        LogFileCleared: {
          '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
          SubjectUserName: 'admin',
          SubjectDomainName: 'CORP',
          Channel: 'Security',
          BackupPath: '',
          URL_attributes: { scheme: 'http' },
          Deeper: { Header: 'GET /', Header_1: 'Accept: */*' },
        },
      },
    },
  } as any);
  assert.equal(flat.SubjectUserName, 'admin');
  assert.equal(flat.BackupPath, '');
  assert.deepEqual(flat.Deeper, { Header: 'GET /', Header_1: 'Accept: */*' });
  assert.equal(flat.xmlns, undefined);
  assert.equal(flat.URL_attributes, undefined);
  // collision: System's Channel wins; the cleared log's name stays reachable nested
  assert.equal(flat.Channel, 'System');
  assert.equal((flat as any).Event.UserData.LogFileCleared.Channel, 'Security');
});

test('collisions: System names win, payload fills the rest, case matters', () => {
  const flat = flattenWindowsEvent({
    Event: { System: { EventID: 1, Execution: { '#attributes': { ProcessID: 10, ThreadID: 11 } } }, EventData: { ProcessId: 99, EventID: 'spoof', Level: 'x', toString: 't', __proto__: 'p' } },
  } as any);
  assert.equal(flat.EventID, 1);
  assert.equal(flat.ProcessID, 10);
  assert.equal(flat.ProcessId, 99);
  assert.equal(flat.Level, 'x'); // no System Level in this event, so the payload's is used
  assert.equal(flat.toString, 't');
  assert.equal(Object.getPrototypeOf(flat), Object.prototype);
});

test('the nested original is reachable, not enumerable, not serialised; collector fields kept', () => {
  const raw = { Event: { System: { EventID: 4688, Channel: 'Security' }, EventData: { NewProcessName: 'a.exe' } }, host: 'collector-1' };
  const flat = flattenWindowsEvent(raw as any);
  assert.equal((flat as any).Event, raw.Event);
  assert.equal((flat as any).Event.System.EventID, 4688);
  assert.deepEqual(Object.keys(flat), ['EventID', 'Channel', 'NewProcessName', 'host']);
  assert.equal(JSON.stringify(flat), '{"EventID":4688,"Channel":"Security","NewProcessName":"a.exe","host":"collector-1"}');
});

test('isWindowsEventShape and normalizeEvent leave other JSON alone', () => {
  const zeek: LogEvent = { ts: 1.5, 'id.orig_h': '10.0.0.1', Event: 'not windows' };
  assert.equal(isWindowsEventShape(zeek), false);
  assert.equal(normalizeEvent(zeek), zeek);
  assert.equal(isWindowsEventShape({ Event: { EventData: {} } }), false);
  assert.equal(isWindowsEventShape({ Event: { System: null } }), false);
  assert.equal(isWindowsEventShape([{ Event: { System: {} } }]), false);
  assert.equal(isWindowsEventShape(null), false);
  assert.equal(isWindowsEventShape({ Event: { System: {} } }), true);
  assert.equal(normalizeEvent({ Event: { System: { EventID: 1 } } }).EventID, 1);
});
