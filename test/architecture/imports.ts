// The imports of a TypeScript file, read with TypeScript's own parser (so comments, strings and
// template literals that merely look like imports are not imports): static imports, re-exports,
// `import type`, and dynamic `import('…')` with a literal specifier.
import ts from 'typescript';
import { readFileSync } from 'node:fs';

export interface ImportRef {
  specifier: string;
  /** Names imported (`default` for a default import, `*` for a namespace or a dynamic import). */
  names: string[];
  line: number;
}

export function importsOf(file: string): ImportRef[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: ImportRef[] = [];
  const lineOf = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, names: namesOf(node), line: lineOf(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      out.push({ specifier: node.arguments[0].text, names: ['*'], line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function namesOf(node: ts.ImportDeclaration | ts.ExportDeclaration): string[] {
  if (ts.isExportDeclaration(node)) {
    const c = node.exportClause;
    return !c || ts.isNamespaceExport(c) ? ['*'] : c.elements.map((e) => (e.propertyName ?? e.name).text);
  }
  const clause = node.importClause;
  if (!clause) return []; // import './side-effect.js'
  const names = clause.name ? ['default'] : [];
  const b = clause.namedBindings;
  if (b && ts.isNamespaceImport(b)) names.push('*');
  else if (b) names.push(...b.elements.map((e) => (e.propertyName ?? e.name).text));
  return names;
}
