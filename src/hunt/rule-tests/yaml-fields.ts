// Reading the small YAML files of `quarry test` (SigmaHQ's info.yml, Quarry's test files) with
// positions, so that every complaint about them is `file:line:col: message`.
import { readFileSync } from 'node:fs';
import { loadYamlDocuments, type YMap, type YNode } from '../../sigma/yaml-tree.js';

export class TestFileError extends Error {}

export function located(file: string, node: { pos: { line: number; col: number } } | null, message: string): TestFileError {
  return new TestFileError(node ? `${file}:${node.pos.line}:${node.pos.col}: ${message}` : `${file}: ${message}`);
}

/** The file's single YAML document as a map; throws a located TestFileError otherwise. */
export function readYamlMap(file: string): YMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TestFileError(`${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const docs = loadYamlDocuments(text);
  const problem = docs.flatMap((d) => d.problems)[0];
  if (problem) throw new TestFileError(`${file}:${problem.span.start.line}:${problem.span.start.col}: ${problem.message}`);
  const root = docs[0]?.root ?? null;
  if (!root || root.kind !== 'map') throw located(file, root, 'expected a YAML mapping');
  return root;
}

export function field(map: YMap, key: string): YNode | undefined {
  return map.entries.find((e) => e.key === key)?.value;
}

export function stringField(file: string, map: YMap, key: string): string | undefined {
  const v = field(map, key);
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return undefined;
  if (v.kind !== 'scalar' || typeof v.value !== 'string') throw located(file, v, `'${key}' must be a string`);
  return v.value;
}

export function countField(file: string, map: YMap, key: string): number | undefined {
  const v = field(map, key);
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return undefined;
  if (v.kind !== 'scalar' || typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0) throw located(file, v, `'${key}' must be a whole number`);
  return v.value;
}
