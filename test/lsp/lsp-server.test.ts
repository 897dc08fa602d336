// `quarry lsp` as an editor sees it: the protocol library's client drives the command over stdio as
// a child process, with a real SigmaHQ rule (a mistyped modifier and a Sigma v1 date put into it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  PublishDiagnosticsNotification,
  HoverRequest,
  CompletionRequest,
  DocumentSymbolRequest,
  CodeActionRequest,
  ShutdownRequest,
  ExitNotification,
  type CompletionItem,
  type DocumentSymbol,
  type Hover,
  type PublishDiagnosticsParams,
  type TextEdit,
  type CodeAction,
  type Position,
} from 'vscode-languageserver-protocol/node';
import { DATA, REPO } from '../helpers.js';

const RULE = readFileSync(join(DATA, 'sigmahq/rules/windows/process_creation/proc_creation_win_bitsadmin_download.yml'), 'utf8');
// Two mistakes a rule author makes, each with a quick fix.
const BROKEN = RULE.replace('date: 2017-03-09', 'date: 2017/03/09').replace("- Image|endswith: '\\bitsadmin.exe'", "- Image|endwith: '\\bitsadmin.exe'");
const URI = 'file:///rules/proc_creation_win_bitsadmin_download.yml';

/** The 0-based position of `needle` in `text` (its first occurrence), plus `offset` characters. */
function at(text: string, needle: string, offset = 0): Position {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `'${needle}' is in the text`);
  const lines = text.slice(0, i).split('\n');
  return { line: lines.length - 1, character: lines.at(-1)!.length + offset };
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const offset = (p: Position) => text.split('\n').slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

test('quarry lsp over stdio: diagnostics, hover, completion, symbols, quick fixes, shutdown', async () => {
  const child = spawn(process.execPath, [join(REPO, 'bin/quarry.js'), 'lsp', '--stdio'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishDiagnosticsParams[] = [];
  let wake: (() => void) | undefined;
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    wake?.();
  });
  connection.listen();
  /** The diagnostics published for `version` of the document. */
  const diagnosticsOf = async (version: number) => {
    for (;;) {
      const hit = published.find((p) => p.version === version);
      if (hit) return hit.diagnostics;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  try {
    const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
    assert.equal(init.serverInfo?.name, 'quarry');
    assert.ok(init.capabilities.hoverProvider && init.capabilities.documentSymbolProvider && init.capabilities.codeActionProvider);
    assert.deepEqual(init.capabilities.completionProvider?.triggerCharacters, ['|', ':', ' ', '.']);

    // Diagnostics, with the exact ranges of the text they are about.
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'yaml', version: 1, text: BROKEN } });
    const diags = await diagnosticsOf(1);
    const byCode = new Map(diags.map((d) => [d.code, d]));
    assert.deepEqual([...byCode.keys()].sort(), ['legacy-date-format', 'unknown-modifier']);
    const date = at(BROKEN, '2017/03/09');
    assert.deepEqual(byCode.get('legacy-date-format')!.range, { start: date, end: { line: date.line, character: date.character + 10 } });
    const key = at(BROKEN, 'Image|endwith');
    assert.deepEqual(byCode.get('unknown-modifier')!.range, { start: key, end: { line: key.line, character: key.character + 'Image|endwith'.length } });
    assert.equal(byCode.get('unknown-modifier')!.severity, 1);
    assert.equal(byCode.get('unknown-modifier')!.source, 'quarry lint');
    assert.match(byCode.get('unknown-modifier')!.message as string, /unknown modifier 'endwith' \(did you mean 'endswith'\?\)/);

    // Hover: an ATT&CK technique by name, a modifier, a field of the log source with its mappings.
    const hover = async (p: Position) => ((await connection.sendRequest(HoverRequest.type, { textDocument: { uri: URI }, position: p })) as Hover | null)?.contents as { value: string } | undefined;
    assert.match((await hover(at(BROKEN, 'attack.t1197', 3)))!.value, /T1197 BITS Jobs\*\* \(ATT&CK technique\)/);
    assert.match((await hover(at(BROKEN, 'attack.t1036.003', 3)))!.value, /T1036\.003 Rename Legitimate Utilities/);
    assert.match((await hover(at(BROKEN, "CommandLine|contains: ' /transfer", 14)))!.value, /\*\*\|contains\*\* \(modifier\): The value may appear anywhere/);
    const field = (await hover(at(BROKEN, "CommandLine|contains: ' /transfer", 2)))!.value;
    assert.match(field, /\*\*CommandLine\*\*, a field of product=windows,category=process_creation/);
    assert.match(field, /ecs-windows: mapped to `process\.command_line`/);
    assert.match(field, /defender-xdr: mapped to `ProcessCommandLine`/);
    assert.match((await hover(at(BROKEN, 'logsource', 2)))!.value, /\*\*logsource\*\*: Which events/);
    assert.match((await hover(at(BROKEN, 'process_creation', 2)))!.value, /Fields the shipped pipelines know for product=windows,category=process_creation \(\d+\): .*`ParentImage`/);

    // Completion while typing: a field name of the rule's log source, a modifier after `|`, a log source value.
    const typing = BROKEN.replace("        CommandLine|contains: 'http'", "        CommandLine|contains: 'http'\n        Parent");
    await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 2 }, contentChanges: [{ text: typing }] });
    await diagnosticsOf(2);
    const complete = async (p: Position) => (await connection.sendRequest(CompletionRequest.type, { textDocument: { uri: URI }, position: p })) as CompletionItem[];
    const fields = await complete(at(typing, '        Parent', 14));
    const labels = fields.map((c) => c.label);
    for (const f of ['ParentImage', 'ParentCommandLine', 'CommandLine', 'OriginalFileName']) assert.ok(labels.includes(f), `${f} is offered`);
    assert.ok(!labels.includes('QueryName') && !labels.includes('DestinationIp'), 'fields of other log sources are not offered');
    const parentImage = fields.find((c) => c.label === 'ParentImage')!;
    assert.deepEqual((parentImage.textEdit as TextEdit).range, { start: at(typing, '        Parent', 8), end: at(typing, '        Parent', 14) });
    assert.match(parentImage.detail!, /ecs-windows → process\.parent\.executable/);
    const mods = await complete(at(typing, "CommandLine|contains: ' /transfer", 15));
    const contains = mods.find((c) => c.label === 'contains')!;
    assert.ok(contains && mods.some((c) => c.label === 'windash') && !mods.some((c) => c.label === 'CommandLine'));
    assert.deepEqual((contains.textEdit as TextEdit).range.start, at(typing, "CommandLine|contains: ' /transfer", 12));
    const categories = (await complete(at(typing, 'process_creation'))).map((c) => c.label);
    assert.ok(categories.includes('process_creation') && categories.includes('network_connection') && categories.includes('ps_script'));
    assert.ok(!categories.includes('proxy'), 'categories of other products are not offered under product: windows');
    const conditionWords = (await complete(at(typing, 'condition: selection_img', 'condition: selection_img'.length))).map((c) => c.label);
    assert.ok(conditionWords.includes('selection_cli_2') && conditionWords.includes('all of'));

    // Document symbols: the rule by its title, its search identifiers and its condition.
    const symbols = (await connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: URI } })) as DocumentSymbol[];
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0]!.name, 'File Download Via Bitsadmin');
    const detection = symbols[0]!.children!.find((s) => s.name === 'detection')!;
    assert.deepEqual(detection.children!.map((s) => s.name), ['selection_img', 'selection_cmd', 'selection_cli_1', 'selection_cli_2', 'condition']);
    assert.equal(detection.children!.at(-1)!.detail, 'selection_img and (selection_cmd or all of selection_cli_*)');
    assert.deepEqual(detection.children![1]!.selectionRange.start, at(typing, 'selection_cmd:'));

    // Code actions: the quick fixes for both diagnostics; applied, the rule validates clean.
    await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 3 }, contentChanges: [{ text: BROKEN }] });
    await diagnosticsOf(3);
    const actionsAt = async (p: Position) => (await connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: URI }, range: { start: p, end: p }, context: { diagnostics: [] } })) as CodeAction[];
    const [dateFix, ...moreDate] = await actionsAt(at(BROKEN, '2017/03/09', 4));
    assert.equal(moreDate.length, 0);
    assert.equal(dateFix!.title, 'write 2017-03-09');
    assert.equal(dateFix!.kind, 'quickfix');
    const [modFix] = await actionsAt(at(BROKEN, 'Image|endwith', 8));
    assert.equal(modFix!.title, "Change modifier 'endwith' → 'endswith'");
    assert.deepEqual(await actionsAt(at(BROKEN, 'selection_cmd:')), [], 'no actions where nothing is wrong');
    const fixed = applyEdits(applyEdits(BROKEN, dateFix!.edit!.changes![URI]!), modFix!.edit!.changes![URI]!);
    assert.equal(fixed, RULE, 'both fixes restore the original rule');
    await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 4 }, contentChanges: [{ text: fixed }] });
    assert.deepEqual(await diagnosticsOf(4), []);

    // Other YAML (a CI workflow) gets no diagnostics, though it has none of a rule's attributes.
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: 'file:///repo/.github/workflows/ci.yml', languageId: 'yaml', version: 7, text: 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n' } });
    assert.deepEqual(await diagnosticsOf(7), []);

    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0, stderr);
  } finally {
    connection.dispose();
    child.kill();
  }
});

test('quarry lsp ends with status 1 when the editor goes away without shutdown', async () => {
  const child = spawn(process.execPath, [join(REPO, 'bin/quarry.js'), 'lsp'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin.end();
  assert.equal(await exited, 1);
});
