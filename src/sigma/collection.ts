// A collection of Sigma documents: every document of a text parsed, checked and either accepted or
// rejected with its diagnostics, and the checks across documents. Browser-safe (the playground
// uses it); reading files and folders is load.ts.
import { diagnostic, DiagnosticSink, hasErrors, type Diagnostic } from './diagnostics.js';
import type { SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from './model.js';
import { parseDocument } from './parse-document.js';
import { runChecks } from './checks.js';
import { get, loadYamlDocuments, type YNode } from './yaml-tree.js';
import { expandCollection } from './legacy-collection.js';

export interface ParsedFile {
  file: string;
  /** `root`: the document's YAML tree (for the linter, which judges how values are written); null when YAML errors stopped parsing. */
  documents: Array<{ document: SigmaDocument | null; docIndex: number; diagnostics: Diagnostic[]; root?: YNode | null }>;
  /** About the file as a whole (its bytes are not UTF-8, it holds no document): warnings that reject nothing. */
  fileDiagnostics?: Diagnostic[];
  /** The file is a processing pipeline (see `isPipelineDocument`), not Sigma documents: `documents` is empty. */
  pipeline?: true;
}

/** How commands name the pipeline files met among the rules: their count and the first few. */
export function pipelineFilesNote(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? `, and ${files.length - 3} more` : '');
  return `${files.length} processing pipeline file${files.length === 1 ? '' : 's'} among the rules (${shown})`;
}

/** Keys only a pySigma processing pipeline has at its top level. */
const PIPELINE_KEYS = ['transformations', 'postprocessing', 'finalizers'];
/** Keys that make a document a rule, filter or correlation, whatever else it holds. */
const SIGMA_KEYS = ['detection', 'correlation', 'filter', 'logsource'];

/**
 * A processing pipeline kept beside the rules (detection-as-code repositories often do): not a
 * rule with every attribute missing, but a file to pass with --pipeline, which the commands say.
 */
function isPipelineDocument(root: YNode | null): boolean {
  return root?.kind === 'map' && PIPELINE_KEYS.some((k) => get(root, k)) && !SIGMA_KEYS.some((k) => get(root, k));
}

/**
 * The file without its documents' YAML trees, for a caller that keeps only the documents: a corpus
 * loaded with every tree alive until the last file is read spends a tenth of its time more in the
 * collector, copying trees nobody reads again.
 */
export function withoutTrees(parsed: ParsedFile): ParsedFile {
  return { ...parsed, documents: parsed.documents.map(({ root: _root, ...d }) => d) };
}

/** Parses every YAML document in one text. */
export function parseSigmaText(text: string, file: string): ParsedFile {
  const docs = loadYamlDocuments(text);
  if (docs.length > 0 && docs.every((d) => d.problems.length === 0 && isPipelineDocument(d.root))) return { file, documents: [], pipeline: true };
  const collection = expandCollection(docs.map((d) => d.root));
  const sources = documentSources(text, docs.map((d) => d.pos.line));
  return {
    file,
    documents: docs.flatMap((d, docIndex) => {
      const step = collection?.[docIndex];
      if (step?.kind === 'template' && d.problems.length === 0) return [];
      const root = step?.kind === 'rule' ? step.root : d.root;
      const sink = new DiagnosticSink(file);
      for (const p of d.problems) sink.report(p.code, p.message, p.span);
      const source = sources[docIndex]!;
      // YAML errors make everything after them unreliable: report them alone.
      if (hasErrors(sink.items) && sink.items.some((x) => x.code.startsWith('yaml-'))) return [{ document: null, docIndex, diagnostics: sink.items, root: null }];
      const document = parseDocument(root, { file, docIndex, source: collection ? text : source, pos: d.pos }, sink);
      if (document && root?.kind === 'map') runChecks(document, root, sink);
      return [{ document, docIndex, diagnostics: focus(sink.items), root }];
    }),
  };
}

/**
 * Each document's own text: from its first line up to the next document's first line (`firstLines`,
 * 1-based, ascending), without the line break that ends it. Sliced in one pass over the text, not
 * split and joined: one copy of a file's text is kept.
 */
function documentSources(text: string, firstLines: readonly number[]): string[] {
  const starts: number[] = [];
  let line = 1;
  let offset = 0;
  for (const first of firstLines) {
    for (; line < first && offset >= 0; line++) {
      const nl = text.indexOf('\n', offset);
      offset = nl < 0 ? -1 : nl + 1;
    }
    starts.push(offset); // -1: the text has fewer lines
  }
  return starts.map((start, i) => {
    if (start < 0) return '';
    const next = starts[i + 1];
    return next === undefined ? text.slice(start) : text.slice(start, next < 0 ? text.length : next - 1);
  });
}

/** When the cause is known (lost indentation), the errors it caused are noise: keep the cause. */
function focus(diags: Diagnostic[]): Diagnostic[] {
  const cause = diags.find((d) => d.code === 'flattened-indentation');
  return cause ? [cause] : diags;
}

export interface RejectedDocument {
  file: string;
  docIndex: number;
  title?: string;
  diagnostics: Diagnostic[];
}

export interface SigmaCollection {
  rules: SigmaRule[];
  filters: SigmaFilter[];
  correlations: SigmaCorrelation[];
  rejected: RejectedDocument[];
  /** Files that are processing pipelines, met among the rules: not loaded as rules (pass them with --pipeline). */
  pipelineFiles: string[];
  /** Every diagnostic, accepted documents' warnings included, in file order. */
  diagnostics: Diagnostic[];
  files: number;
}

export function emptyCollection(): SigmaCollection {
  return { rules: [], filters: [], correlations: [], rejected: [], pipelineFiles: [], diagnostics: [], files: 0 };
}

export function addParsedFile(col: SigmaCollection, parsed: ParsedFile): void {
  if (parsed.pipeline) {
    col.pipelineFiles.push(parsed.file);
    return;
  }
  col.files++;
  col.diagnostics.push(...(parsed.fileDiagnostics ?? []));
  for (const d of parsed.documents) {
    col.diagnostics.push(...d.diagnostics);
    if (!d.document || hasErrors(d.diagnostics)) {
      col.rejected.push({ file: parsed.file, docIndex: d.docIndex, title: d.document?.title, diagnostics: d.diagnostics });
      continue;
    }
    if (d.document.kind === 'rule') col.rules.push(d.document);
    else if (d.document.kind === 'filter') col.filters.push(d.document);
    else col.correlations.push(d.document);
  }
}

/**
 * Checks across documents: duplicate ids, and references of filters and correlations. They are about
 * a whole document, whose start is all the model keeps: a point there.
 */
export function checkCollection(col: SigmaCollection): void {
  const byId = new Map<string, SigmaDocument>();
  const names = new Set<string>();
  for (const d of [...col.rules, ...col.correlations]) {
    if (d.id) {
      const prev = byId.get(d.id);
      if (prev) col.diagnostics.push(diagnostic(d.file, 'duplicate-id', `id ${d.id} is also used by ${prev.file}`, d.pos));
      else byId.set(d.id, d);
    }
    if (d.name) names.add(d.name);
  }
  const known = (ref: string) => byId.has(ref) || names.has(ref);
  for (const f of col.filters) {
    for (const r of f.rules) if (!known(r)) col.diagnostics.push(diagnostic(f.file, 'filter-unknown-rule', `filter '${f.title}' names rule '${r}', which is not loaded`, f.pos));
  }
  for (const c of col.correlations) {
    for (const r of c.correlation.rules) if (!known(r)) col.diagnostics.push(diagnostic(c.file, 'correlation-unknown-rule', `correlation '${c.title}' names rule '${r}', which is not loaded`, c.pos));
  }
}
