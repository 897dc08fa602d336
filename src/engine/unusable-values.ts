// Where a rule that cannot run went wrong: the compiler sees the IR, which no longer knows which
// document and line a value came from, so a rule that failed to compile is looked at again here,
// value by value, with the same regex factory. A regex of a Sigma filter (an exclusion written in
// the explorer, say) that the engine cannot run is then reported at the filter's own line.
import type { Detection, DetectionGroup, DetectionItem } from '../sigma/model.js';
import type { RegexFactory } from './regex.js';

export interface UnusableValue {
  file: string;
  line: number;
  col: number;
  message: string;
}

function* items(g: DetectionGroup): Generator<DetectionItem> {
  for (const c of g.children) {
    if ('children' in c) yield* items(c);
    else yield c;
  }
}

/** The first `re` value of these documents (a rule, then its filters) that `regex` refuses, or null. */
export function firstUnusableRegex(docs: ReadonlyArray<{ file: string; detections: Map<string, Detection> }>, regex: RegexFactory): UnusableValue | null {
  for (const doc of docs) {
    for (const det of doc.detections.values()) {
      for (const item of items(det.body)) {
        for (const v of item.values) {
          if (v.type !== 're') continue;
          try {
            regex(v.pattern, v.flags);
          } catch (e) {
            return { file: doc.file, line: item.pos.line, col: item.pos.col, message: `regular expression /${v.pattern}/ of '${det.name}' cannot be used: ${(e as Error).message}` };
          }
        }
      }
    }
  }
  return null;
}
