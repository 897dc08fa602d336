// The language server: LSP over a pair of streams (standard input and output for `quarry lsp`).
// It owns only the translation between the protocol and Quarry's own answers (findings, hover,
// completion, outline); positions turn from Quarry's 1-based spans into LSP's 0-based ranges here
// and nowhere else. Both count UTF-16 code units, the protocol's default encoding.
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  MarkupKind,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Range,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Span } from '../sigma/diagnostics.js';
import { lintSource, type Finding, type FindingDiagnostic, type FindingSource } from './findings.js';
import { hoverAt } from './hover.js';
import { completeAt, type CandidateKind } from './completion.js';
import { outline, type OutlineSymbol } from './symbols.js';
import { shippedTaxonomy } from './taxonomy.js';

const toRange = (s: Span): Range => ({ start: { line: s.start.line - 1, character: s.start.col - 1 }, end: { line: s.end.line - 1, character: s.end.col - 1 } });
const diagnosticSpan = (d: FindingDiagnostic): Span => ({ start: { line: d.line, col: d.col }, end: { line: d.endLine, col: d.endCol } });

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

const COMPLETION_KIND: Record<CandidateKind, CompletionItemKind> = {
  attribute: CompletionItemKind.Property,
  key: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  field: CompletionItemKind.Field,
  modifier: CompletionItemKind.Operator,
  identifier: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
  tag: CompletionItemKind.EnumMember,
};

const SYMBOL_KIND: Record<OutlineSymbol['kind'], SymbolKind> = {
  document: SymbolKind.File,
  section: SymbolKind.Namespace,
  identifier: SymbolKind.Variable,
  condition: SymbolKind.Boolean,
  correlation: SymbolKind.Event,
};

function toSymbol(s: OutlineSymbol): DocumentSymbol {
  return { name: s.name, detail: s.detail, kind: SYMBOL_KIND[s.kind], range: toRange(s.span), selectionRange: toRange(s.selection), children: s.children.map(toSymbol) };
}

/**
 * A text is checked as Sigma when one of its documents has a section only Sigma documents have. Until
 * a new rule has one, completion and hover work and no diagnostic is shown.
 */
const SIGMA_SECTION = /^(detection|correlation|filter|logsource)[ \t]*:/m;

/** The file name diagnostics carry: the path for file: URIs, the URI itself otherwise (an unsaved buffer). */
function fileOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export interface ServerOptions {
  /** Checkers whose findings become diagnostics and code actions (the validator by default). */
  sources?: readonly FindingSource[];
}

/** Starts a server on the given streams; it runs until the client sends `exit` or the input closes. */
export function startLanguageServer(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, opts: ServerOptions = {}): Connection {
  const sources = opts.sources ?? [lintSource()];
  // Given the streams themselves, the library ends the process when the input closes or the client
  // sends `exit`: with status 0 after `shutdown`, else 1, as the protocol asks.
  const connection = createConnection(input, output);
  const documents = new TextDocuments(TextDocument);
  // The last findings of each open document, for its code actions.
  const findings = new Map<string, Array<{ source: string; finding: Finding }>>();

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['|', ':', ' ', '.'] },
      documentSymbolProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'quarry' },
  }));

  const publish = (doc: TextDocument) => {
    const text = doc.getText();
    const file = fileOf(doc.uri);
    // Editors start YAML servers for every YAML file; a CI workflow or a compose file is not a broken rule.
    const found = !SIGMA_SECTION.test(text) ? [] : sources.flatMap((s) => s.findings(text, file).map((finding) => ({ source: s.name, finding })));
    findings.set(doc.uri, found);
    const diagnostics: LspDiagnostic[] = found.map(({ source, finding: { diagnostic: d } }) => ({
      range: toRange(diagnosticSpan(d)),
      severity: SEVERITY[d.severity],
      code: d.code,
      source,
      message: d.message,
    }));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    // The taxonomy takes a few hundred milliseconds to read from the pipelines: paid once, after the
    // first diagnostics are out and before the first hover or completion needs it.
    setImmediate(shippedTaxonomy);
  };
  documents.onDidChangeContent((e) => publish(e.document));
  documents.onDidClose((e) => {
    findings.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const h = hoverAt(doc.getText(), { line: position.line + 1, col: position.character + 1 }, shippedTaxonomy());
    return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(h.span) } : null;
  });

  connection.onCompletion(({ textDocument, position }): CompletionItem[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const { replace, candidates } = completeAt(doc.getText(), position.line, position.character, shippedTaxonomy());
    const range: Range = { start: { line: position.line, character: position.character - replace }, end: position };
    return candidates.map((c) => ({ label: c.label, kind: COMPLETION_KIND[c.kind], detail: c.detail, textEdit: { range, newText: c.insert ?? c.label } }));
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    return doc ? outline(doc.getText()).map(toSymbol) : [];
  });

  connection.onCodeAction(({ textDocument, range }): CodeAction[] => {
    const overlaps = (r: Range) => !(r.end.line < range.start.line || (r.end.line === range.start.line && r.end.character < range.start.character) || r.start.line > range.end.line || (r.start.line === range.end.line && r.start.character > range.end.character));
    const actions: CodeAction[] = [];
    for (const { source, finding } of findings.get(textDocument.uri) ?? []) {
      const d = finding.diagnostic;
      const diagRange = toRange(diagnosticSpan(d));
      if (!overlaps(diagRange)) continue;
      for (const fix of finding.fixes) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [{ range: diagRange, severity: SEVERITY[d.severity], code: d.code, source, message: d.message }],
          edit: { changes: { [textDocument.uri]: fix.edits.map((e) => ({ range: toRange(e.span), newText: e.newText })) } },
        });
      }
    }
    return actions;
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
