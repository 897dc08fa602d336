import { assertEmbedsFolder } from '../embeds.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyPipelines } from '../../src/pipeline/apply.js';
import { builtinPipeline, listBuiltinPipelines } from '../../src/pipeline/builtin.js';
import { BUILTIN_PIPELINE_YAML } from '../../src/pipeline/builtin/builtin-data.js';
import { UNMAPPED_WINDOWS_SOURCES, windowsMappingFromThor, windowsPipelineYaml } from '../../src/pipeline/builtin/generate-windows.js';
import { loadSigmaPaths } from '../../src/sigma/load.js';
import { fastYamlDocument } from '../../src/sigma/yaml-fast.js';
import { loadYamlDocumentsFully } from '../../src/sigma/yaml-tree.js';
import { DATA, PROCESS_RULE, ROOT, ruleFromFile, ruleFromText, show, showDetections } from './helpers.js';

const BUILTIN_DIR = join(ROOT, 'src/pipeline/builtin');
const windows = () => builtinPipeline('windows')!;

test('built-in pipelines are listed and load; an unknown name is null', () => {
  assert.ok(listBuiltinPipelines().includes('windows'));
  assert.equal(windows().origin, 'builtin:windows');
  assert.equal(windows().priority, 10);
  assert.equal(builtinPipeline('nope'), null);
});

test('the embedded YAML is the YAML under src/pipeline/builtin (written by build/embed-data.mjs)', () => {
  assertEmbedsFolder(BUILTIN_PIPELINE_YAML, BUILTIN_DIR);
  for (const f of readdirSync(BUILTIN_DIR).filter((x) => x.endsWith('.yml'))) {
    assert.equal(BUILTIN_PIPELINE_YAML[f.replace(/\.yml$/, '')], readFileSync(join(BUILTIN_DIR, f), 'utf8'));
  }
});

test('windows.yml is read by the fast YAML reader (every hunt parses it) into the tree the full parser gives', () => {
  const text = BUILTIN_PIPELINE_YAML.windows!;
  const fast = fastYamlDocument(text);
  assert.ok(fast, 'the fast reader leaves windows.yml to the full parser: keep generate-windows.ts to plain block YAML');
  assert.deepEqual([fast], loadYamlDocumentsFully(text));
});

test('windows.yml is what generate-windows.ts makes of SigmaHQ thor.yml', () => {
  const thor = readFileSync(join(DATA, 'sigmahq/tests/thor.yml'), 'utf8');
  assert.equal(windowsPipelineYaml(windowsMappingFromThor(thor)), readFileSync(join(BUILTIN_DIR, 'windows.yml'), 'utf8'));
});

test('seed rule: BITS client rule gets the Bits-Client channel as its guard', () => {
  const rule = ruleFromFile(join(DATA, 'sigma-rules-bits/win_bits_client_new_transfer_via_uncommon_tld.yml'));
  const r = applyPipelines(rule, [windows()]);
  assert.deepEqual(r.guards.map(show), ['and(Channel=Microsoft-Windows-Bits-Client/Operational)']);
  assert.deepEqual(r.conditions, []);
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.applied, ['windows_service_bits-client']);
  assert.deepEqual(showDetections(r.rule), showDetections(rule), 'the detection itself is unchanged');
});

test('process_creation: Sysmon 1 or Security 4688, with the field alternatives of 4688', () => {
  const r = applyPipelines(ruleFromText(PROCESS_RULE), [windows()]);
  assert.deepEqual(r.guards.map(show), ['and(Channel=Microsoft-Windows-Sysmon/Operational|Security, EventID=1|4688)']);
  assert.deepEqual(showDetections(r.rule), {
    selection_img: 'or(and(or(Image=*\\certutil.exe, NewProcessName=*\\certutil.exe)), and(OriginalFileName=CertUtil.exe))',
    selection_cli: 'and(CommandLine=*urlcache *|*verifyctl *, or(ParentImage=*\\cmd.exe, ParentProcessName=*\\cmd.exe))',
  });
  assert.deepEqual(r.rule.fields, ['Image', 'NewProcessName', 'CommandLine']);
  assert.deepEqual(r.applied, ['windows_category_process_creation', 'windows_category_process_creation_fields']);
});

test('categories with several Sysmon events and extra conditions', () => {
  const guard = (category: string) =>
    applyPipelines(ruleFromText(`title: t\nlogsource:\n    product: windows\n    category: ${category}\ndetection:\n    sel:\n        TargetObject|contains: x\n    condition: sel\n`), [windows()]).guards.map(show);
  assert.deepEqual(guard('registry_event'), ['and(Channel=Microsoft-Windows-Sysmon/Operational, EventID=12|13|14)']);
  assert.deepEqual(guard('registry_delete'), ['and(Channel=Microsoft-Windows-Sysmon/Operational, EventID=12, EventType=DeleteKey|DeleteValue)']);
  assert.deepEqual(guard('ps_script'), ['and(Channel=Microsoft-Windows-PowerShell/Operational|PowerShellCore/Operational, EventID=4104)']);
  assert.deepEqual(guard('no_such_category'), []);
});

test('services thor.yml has no channel for: DNS Server, its analytic log, driver frameworks, Service Bus', () => {
  const guard = (service: string) =>
    applyPipelines(ruleFromText(`title: t\nlogsource:\n    product: windows\n    service: ${service}\ndetection:\n    sel:\n        EventID: 1\n    condition: sel\n`), [windows()]).guards.map(show);
  assert.deepEqual(guard('dns-server'), ['and(Channel=DNS Server)']);
  assert.deepEqual(guard('dns-server-analytic'), ['and(Channel=Microsoft-Windows-DNS-Server/Analytical)']);
  assert.deepEqual(guard('driver-framework'), ['and(Channel=Microsoft-Windows-DriverFrameworks-UserMode/Operational)']);
  assert.deepEqual(guard('microsoft-servicebus-client'), ['and(Channel=Microsoft-ServiceBus-Client)']);
  // The SigmaHQ DNS Server rule now meets DNS Server events.
  const rule = ruleFromFile(join(DATA, 'sigmahq/rules/windows/builtin/dns_server/win_dns_server_susp_server_level_plugin_dll.yml'));
  assert.deepEqual(applyPipelines(rule, [windows()]).guards.map(show), ['and(Channel=DNS Server)']);
});

/** Windows log sources the pipeline leaves without a guard, each with its written reason. */
const UNMAPPED = new Set(UNMAPPED_WINDOWS_SOURCES.keys());

test('every Windows log source of the SigmaHQ corpus gets a guard, or has a written reason why not', () => {
  const dirs = readdirSync(join(DATA, 'sigmahq')).filter((d) => d.startsWith('rules')).map((d) => join(DATA, 'sigmahq', d));
  const col = loadSigmaPaths(dirs);
  const seenUnmapped = new Set<string>();
  let mapped = 0;
  for (const rule of col.rules) {
    if (rule.logsource.product !== 'windows') continue;
    const key = rule.logsource.category ? `category:${rule.logsource.category}` : rule.logsource.service ? `service:${rule.logsource.service}` : '(none)';
    const r = applyPipelines(rule, [windows()]);
    if (UNMAPPED.has(key)) {
      assert.equal(r.guards.length, 0, key);
      seenUnmapped.add(key);
    } else {
      assert.ok(r.guards.length >= 1, `${rule.file}: ${key} has no guard: map it (generate-windows.ts) or give the reason in UNMAPPED_WINDOWS_SOURCES`);
      assert.deepEqual(r.failures.filter((f) => !f.startsWith('placeholder')), [], rule.file);
      mapped++;
    }
  }
  assert.ok(mapped > 2500, `only ${mapped} Windows rules mapped`);
  assert.deepEqual([...seenUnmapped].sort(), [...UNMAPPED].sort(), 'the unmapped list names only log sources the corpus uses');
});
