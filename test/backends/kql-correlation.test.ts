// Correlations converted to KQL: the query text of a few cases written out by hand, every
// correlation kind passing Microsoft's Kusto analyzer against the table schemas for a Sentinel table
// (CommonSecurityLog, TimeGenerated) and a Defender XDR table (DeviceLogonEvents, Timestamp), a
// union when the base rules read two tables, the notes, and what KQL cannot say refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertCorrelation } from '../../src/backends/common/convert.js';
import { kqlBackend } from '../../src/backends/kql/index.js';
import { validateKql } from '../../src/backends/kql/validate.js';
import { parsePipelineYaml } from '../../src/pipeline/parse.js';
import type { ProcessingPipeline } from '../../src/pipeline/types.js';
import { collection, CORRELATIONS } from './correlation-cases.js';

function pipeline(yaml: string): ProcessingPipeline {
  const { pipeline, diagnostics } = parsePipelineYaml(yaml, 'test.yml');
  assert.ok(pipeline, diagnostics.map((d) => d.message).join('; '));
  return pipeline;
}

/** One table family: the pipeline that puts the test rules there, and the columns that stand for the cases' fields. */
interface Family {
  name: string;
  pipeline: ProcessingPipeline;
  fields: Record<string, string>;
  time: string;
}

const SENTINEL: Family = {
  name: 'Sentinel CommonSecurityLog',
  pipeline: pipeline('name: t\ntransformations:\n  - type: set_state\n    key: query_table\n    val: CommonSecurityLog\n  - type: field_name_mapping\n    mapping: { kind: Activity }\n'),
  fields: { User: 'SourceUserName', TargetUser: 'DestinationUserName', Source: 'SourceIP', Port: 'SourcePort', Bytes: 'SentBytes' },
  time: 'TimeGenerated',
};
const DEFENDER: Family = {
  name: 'Defender XDR DeviceLogonEvents',
  pipeline: pipeline('name: t\ntransformations:\n  - type: set_state\n    key: query_table\n    val: DeviceLogonEvents\n  - type: field_name_mapping\n    mapping: { kind: ActionType }\n'),
  fields: { User: 'AccountName', TargetUser: 'InitiatingProcessAccountName', Source: 'RemoteIP', Port: 'RemotePort', Bytes: 'LogonId' },
  time: 'Timestamp',
};

/** A correlation body with the cases' field names replaced by the family's columns. */
function retarget(body: string, f: Family): string {
  return body.replace(/\b(User|TargetUser|Source|Port|Bytes)\b/g, (m) => f.fields[m]!);
}

function convert(body: string, pipelines: ProcessingPipeline[]) {
  const col = collection(body);
  return convertCorrelation(col.correlations[0]!, col, kqlBackend, pipelines);
}

const EXTRA: Record<string, string> = {
  value_percentile: 'type: value_percentile\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    percentile: 95\n    gte: 100',
  value_median: 'type: value_median\nrules: [success]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: Bytes\n    lt: 50',
  'event_count, range': 'type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 5m\ncondition:\n    gt: 2\n    lte: 10',
  'event_count, neq': 'type: event_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 1h\ncondition:\n    neq: 1',
  'event_count, eq, two group-by fields': 'type: event_count\nrules: [failed, success]\ngroup-by: [User, Source]\ntimespan: 30s\ncondition:\n    eq: 2',
  'temporal_ordered, count condition': 'type: temporal_ordered\nrules: [failed, success]\ngroup-by: [User]\ntimespan: 3m\ncondition:\n    gte: 1',
};

for (const family of [SENTINEL, DEFENDER]) {
  test(`every correlation kind converts to KQL that the Kusto analyzer accepts: ${family.name}`, () => {
    const cases = { ...CORRELATIONS, ...EXTRA };
    for (const [name, body] of Object.entries(cases)) {
      const r = convert(retarget(body, family), [family.pipeline]);
      assert.ok(r.ok, `${name}: ${r.ok ? '' : `${r.code}: ${r.error}`}`);
      const check = validateKql(r.query);
      assert.deepEqual(check.problems, [], `${name}\n${r.query}`);
      assert.match(r.query, new RegExp(`_Time = ${family.time}\\b`), name);
      assert.ok(r.notes.some((n) => n.includes('fixed')), `${name}: the fixed-bucket note`);
    }
    assert.ok(Object.keys(cases).length >= 16);
  });
}

test('event_count over one rule, Sentinel: the query written out', () => {
  const r = convert(retarget(CORRELATIONS.event_count!, SENTINEL), [SENTINEL.pipeline]);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(
    r.query,
    [
      'CommonSecurityLog',
      '| where Activity =~ "failed"',
      '| project _Time = TimeGenerated, _g0 = SourceUserName',
      '| where isnotnull(_Time) and isnotempty(_g0)',
      '| summarize _value = count() by _g0, _Start = bin(_Time, 5m)',
      '| where _value >= 3',
      '| project SourceUserName = _g0, window_start = _Start, window_end = _Start + 5m, value = _value',
    ].join('\n'),
  );
  assert.deepEqual(r.notes, [
    "the query counts fixed 5m buckets (bin() of the event time) where Quarry's engine slides a 5m window ending at each event: events of one burst that straddle a bucket boundary are not counted together, so an alert can be missed, and upper bounds (lt, lte, eq, neq) are tested on whole buckets",
  ]);
});

test('value_count of two fields with a range, Defender: joined values where both are present, a where on the measure', () => {
  const body = 'type: value_count\nrules: [failed]\ngroup-by: [User]\ntimespan: 10m\ncondition:\n    field: [Source, Port]\n    gt: 3\n    lte: 20';
  const r = convert(retarget(body, DEFENDER), [DEFENDER.pipeline]);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(
    r.query,
    [
      'DeviceLogonEvents',
      '| where ActionType =~ "failed"',
      '| project _Time = Timestamp, _g0 = AccountName, _v = iff(isnotempty(RemoteIP) and isnotempty(tostring(RemotePort)), strcat_delim("\\u0001", RemoteIP, tostring(RemotePort)), "")',
      '| where isnotnull(_Time) and isnotempty(_g0)',
      '| summarize _value = dcountif(_v, isnotempty(_v)) by _g0, _Start = bin(_Time, 10m)',
      '| where _value > 3 and _value <= 20',
      '| project AccountName = _g0, window_start = _Start, window_end = _Start + 10m, value = _value',
    ].join('\n'),
  );
  assert.deepEqual(validateKql(r.query).problems, []);
  assert.ok(r.notes.some((n) => n.startsWith('dcountif() estimates')));
});

test('temporal over two tables with aliases, Defender: a union of one branch per table, each group value from its own rule\'s field', () => {
  // failed logons in DeviceLogonEvents, successful connections in DeviceNetworkEvents.
  const twoTables = pipeline(
    [
      'name: t',
      'transformations:',
      '  - type: set_state',
      '    key: query_table',
      '    val: DeviceLogonEvents',
      '    rule_conditions: [{ type: contains_detection_item, field: kind, value: failed }]',
      '  - type: set_state',
      '    key: query_table',
      '    val: DeviceNetworkEvents',
      '    rule_conditions: [{ type: contains_detection_item, field: kind, value: success }]',
      '  - type: field_name_mapping',
      '    mapping: { kind: ActionType }',
      '',
    ].join('\n'),
  );
  const body = 'type: temporal\nrules: [failed, success]\ngroup-by: [who]\ntimespan: 2h\naliases:\n    who:\n        failed: AccountName\n        success: InitiatingProcessAccountName';
  const r = convert(body, [twoTables]);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(
    r.query,
    [
      'union (',
      '    DeviceLogonEvents',
      '    | where ActionType =~ "failed"',
      '    | project _Time = Timestamp, _g0 = AccountName, _r0 = true, _r1 = false',
      '), (',
      '    DeviceNetworkEvents',
      '    | where ActionType =~ "success"',
      '    | project _Time = Timestamp, _g0 = InitiatingProcessAccountName, _r0 = false, _r1 = true',
      ')',
      '| where isnotnull(_Time) and isnotempty(_g0)',
      '| summarize _n0 = max(toint(_r0)), _n1 = max(toint(_r1)) by _g0, _Start = bin(_Time, 2h)',
      '| extend _value = _n0 + _n1',
      '| where _value >= 2',
      '| project who = _g0, window_start = _Start, window_end = _Start + 2h, value = _value',
    ].join('\n'),
  );
  assert.deepEqual(validateKql(r.query).problems, []);
});

test('two rules on one table: one row per event, flagged per rule, the alias read from the rule the row matched', () => {
  const body = retarget(CORRELATIONS['temporal with aliases']!, SENTINEL);
  const r = convert(body, [SENTINEL.pipeline]);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(
    r.query.split('\n').slice(0, 4).join('\n'),
    [
      'CommonSecurityLog',
      '| extend _r0 = (Activity =~ "failed"), _r1 = (Activity =~ "success")',
      '| where _r0 or _r1',
      '| project _Time = TimeGenerated, _g0 = case(_r0, SourceUserName, _r1, DestinationUserName, ""), _r0, _r1',
    ].join('\n'),
  );
});

test('temporal_ordered of two rules, percentiles and medians: the measure', () => {
  const ordered = convert(retarget(CORRELATIONS.temporal_ordered!, DEFENDER), [DEFENDER.pipeline]);
  assert.ok(ordered.ok);
  assert.match(ordered.query, /\| summarize _first0 = minif\(_Time, _r0\), _last1 = maxif\(_Time, _r1\) by _g0, _Start = bin\(_Time, 3m\)\n\| extend _value = iff\(_first0 <= _last1, 2, toint\(isnotnull\(_first0\)\)\)\n\| where _value >= 2\n/);
  const p = convert(retarget(EXTRA.value_percentile!, SENTINEL), [SENTINEL.pipeline]);
  assert.ok(p.ok);
  assert.match(p.query, /_v = todouble\(SentBytes\)/);
  assert.match(p.query, /\| where isnotnull\(_Time\) and isnotempty\(_g0\) and isnotnull\(_v\)\n\| summarize _value = percentile\(_v, 95\) by/);
  const m = convert(retarget(EXTRA.value_median!, SENTINEL), [SENTINEL.pipeline]);
  assert.ok(m.ok);
  assert.match(m.query, /percentile\(_v, 50\)[^\n]*\n\| where _value < 50\n/);
  const none = convert(CORRELATIONS['event_count, no group-by']!, [SENTINEL.pipeline]);
  assert.ok(none.ok);
  assert.match(none.query, /\| where isnotnull\(_Time\)\n\| summarize _value = count\(\) by _Start = bin\(_Time, 1m\)\n\| where _value >= 4\n\| project window_start = _Start, window_end = _Start \+ 1m, value = _value$/);
});

test('what KQL cannot say is refused with a reason: expressions, three ordered rules, no table, no such column', () => {
  const refused = (body: string, pipelines = [SENTINEL.pipeline]) => {
    const r = convert(body, pipelines);
    assert.ok(!r.ok, body);
    return `${r.code}: ${r.error}`;
  };
  assert.match(refused('type: temporal\ngroup-by: [SourceUserName]\ntimespan: 5m\ncondition: failed and not success'), /^correlation-condition: /);
  assert.match(refused('type: temporal_ordered\nrules: [failed, success, failed]\ngroup-by: [SourceUserName]\ntimespan: 5m'), /^correlation-unsupported: temporal_ordered over more than two rules/);
  assert.match(refused(CORRELATIONS.event_count!, []), /^no-table: base rule 'failed': no table/);
  assert.match(refused(CORRELATIONS.event_count!), /^unknown-field: field 'User' is not a column of CommonSecurityLog/);
  assert.match(refused('type: event_count\nrules: [failed]\ngroup-by: [value]\ntimespan: 5m\ncondition:\n    gte: 3'), /^correlation-unsupported: the group-by name 'value'/);
});

test('rules in two Sentinel tables (CommonSecurityLog, Syslog): the union of every two-rule kind passes the Kusto analyzer', () => {
  const twoTables = pipeline(
    [
      'name: t',
      'transformations:',
      '  - type: set_state',
      '    key: query_table',
      '    val: CommonSecurityLog',
      '    rule_conditions: [{ type: contains_detection_item, field: kind, value: failed }]',
      '  - type: set_state',
      '    key: query_table',
      '    val: Syslog',
      '    rule_conditions: [{ type: contains_detection_item, field: kind, value: success }]',
      '  - type: field_name_mapping',
      '    mapping: { kind: Activity }',
      '    rule_conditions: [{ type: contains_detection_item, field: kind, value: failed }]',
      '  - type: field_name_mapping',
      '    mapping: { kind: ProcessName }',
      '    rule_conditions: [{ type: contains_detection_item, field: kind, value: success }]',
      '',
    ].join('\n'),
  );
  const aliases = 'aliases:\n    who:\n        failed: SourceUserName\n        success: HostName';
  const bodies = [
    `type: event_count\nrules: [failed, success]\ngroup-by: [who]\ntimespan: 2m\ncondition:\n    gt: 2\n${aliases}`,
    `type: temporal\nrules: [failed, success]\ngroup-by: [who]\ntimespan: 3m\n${aliases}`,
    `type: temporal_ordered\nrules: [failed, success]\ngroup-by: [who]\ntimespan: 3m\n${aliases}`,
    'type: event_count\nrules: [failed, success]\ntimespan: 1m\ncondition:\n    lt: 4',
  ];
  for (const body of bodies) {
    const r = convert(body, [twoTables]);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.error}`);
    assert.match(r.query, /^union \(\n {4}CommonSecurityLog\n {4}\| where Activity =~ "failed"\n[^]*\), \(\n {4}Syslog\n {4}\| where ProcessName =~ "success"\n/);
    assert.deepEqual(validateKql(r.query).problems, [], r.query);
  }
});
