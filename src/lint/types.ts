// The shapes of the linter: a check declared as data (id, severity, message, docs, optional safe
// fix) with the function that judges, and the findings it reports with exact ranges and fixes as
// text edits. An editor (the language server) takes findings and fixes as they are.
import type { Severity, Span } from '../sigma/diagnostics.js';
import type { SigmaDocument } from '../sigma/model.js';
import type { YMap } from '../sigma/yaml-tree.js';
import type { Taxonomy } from './taxonomy.js';

export type { Severity, Span };

/** Which family a check belongs to; a config can turn a whole group off. */
export type CheckGroup = 'validity' | 'sigmahq' | 'hygiene';

/** Replace the text of `range` (1-based line and column, end exclusive) by `newText`. */
export interface TextEdit {
  range: Span;
  newText: string;
}

/** A safe fix: edits of the file's text that keep everything else (formatting, comments) as it is. */
export interface Fix {
  description: string;
  edits: TextEdit[];
}

export interface Finding {
  /** The check's id (for validity findings, the validator's diagnostic code). */
  check: string;
  severity: Severity;
  file: string;
  range: Span;
  message: string;
  fix?: Fix;
}

/** What a check sees of one document: the typed document, its YAML tree, the text and the file name. */
export interface DocumentContext {
  doc: SigmaDocument;
  root: YMap;
  text: string;
  file: string;
  taxonomy?: Taxonomy;
  report(message: string, range: Span, fix?: Fix): void;
}

export interface LintedDocument {
  doc: SigmaDocument;
  root: YMap;
  file: string;
}

/** What a check across documents sees: every document that parsed, in file order. */
export interface CollectionContext {
  documents: readonly LintedDocument[];
  report(file: string, message: string, range: Span): void;
}

/** What a reader (`--list-checks`, SARIF's rule list, an editor's hover) needs of any check. */
export interface CheckDescription {
  id: string;
  group: CheckGroup;
  severity: Severity;
  /** One line: what is wrong, and what to write instead. */
  message: string;
  /** Why it matters, for `quarry lint --explain` and editor hovers. */
  docs: string;
  /** What the safe fix does, when the check has one (`--fix` applies it). */
  fix?: string;
}

export interface DocumentCheck extends CheckDescription {
  scope: 'document';
  run(ctx: DocumentContext): void;
}

export interface CollectionCheck extends CheckDescription {
  scope: 'collection';
  run(ctx: CollectionContext): void;
}

export type LintCheck = DocumentCheck | CollectionCheck;
