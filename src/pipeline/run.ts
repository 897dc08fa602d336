// The state of one rule going through pipelines, and the walks over its detection trees that
// transformations share.
import type { DetectionGroup, DetectionItem, SigmaRule } from '../sigma/model.js';
import type { ProcessedRule, ProcessingItem, ProcessingPipeline } from './types.js';

/** A processed rule while it is being processed, with what conditions on applied items need. */
export interface RunState extends ProcessedRule {
  /**
   * Processing items applied to each detection item (for `processing_item_applied` on items). A
   * Map, not a WeakMap: it lives as long as the run of one rule, and a WeakMap per rule of a corpus
   * costs the garbage collector more than its entries. Made at the first entry (most rules get none
   * or a few), as is `fieldApplied`.
   */
  itemApplied: Map<DetectionItem, Set<string>> | null;
  /**
   * Whether `itemApplied` is kept at all: only when some item of the pipelines asks it (a detection
   * item condition `processing_item_applied`); otherwise recording it was a Map and a Set per rule of
   * a corpus that nothing read.
   */
  tracksItems: boolean;
  /** Processing items that produced each field name (for `processing_item_applied` on field names). */
  fieldApplied: Map<string, Set<string>> | null;
  /** Whether `rule` is the run's own copy yet (apply.ts copies it before the first item that may change it). */
  ruleCopied: boolean;
}

/** One processing item at work on one rule. */
export interface Step {
  run: RunState;
  item: ProcessingItem;
  pipeline: ProcessingPipeline;
  /** The item's id, or its type when it has none. */
  id: string;
  /** Detection item conditions, and field name conditions on the field or any field reference. */
  matchDetectionItem(d: DetectionItem): boolean;
  /** Field name conditions on one field name. */
  matchFieldName(field: string | null): boolean;
  fail(message: string): void;
}

export function newRun(rule: SigmaRule, tracksItems: boolean): RunState {
  return { rule, guards: [], conditions: [], exclusions: [], failures: [], applied: [], state: {}, itemApplied: null, tracksItems, fieldApplied: null, ruleCopied: false };
}

/** Every detection tree of the rule: its search identifiers, then the conditions pipelines added. */
export function allGroups(run: RunState): DetectionGroup[] {
  // A loop, not spreads: this runs for every rule of a corpus and every transformation that walks it.
  const out: DetectionGroup[] = [];
  for (const d of run.rule.detections.values()) out.push(d.body);
  for (const extra of [run.guards, run.conditions, run.exclusions]) for (let i = 0; i < extra.length; i++) out.push(extra[i]!);
  return out;
}

export function isGroup(n: DetectionItem | DetectionGroup): n is DetectionGroup {
  return 'children' in n;
}

export function forEachItem(g: DetectionGroup, fn: (item: DetectionItem) => void): void {
  for (const c of g.children) {
    if (isGroup(c)) forEachItem(c, fn);
    else fn(c);
  }
}

/** `undefined`: keep the item; `null`: drop it; otherwise replace it. */
export type Replacement = DetectionItem | DetectionGroup | null | undefined;

/**
 * Rewrites the items of a tree in place. Nested groups that lose all their children are removed;
 * the root stays, possibly empty (an empty AND group matches everything).
 */
export function rewriteItems(g: DetectionGroup, fn: (item: DetectionItem) => Replacement): void {
  // The new list is made at the first change only: most transformations leave most groups alone,
  // and a corpus goes through hundreds of them.
  let out: Array<DetectionItem | DetectionGroup> | null = null;
  const children = g.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    let r: Replacement;
    if (isGroup(c)) {
      rewriteItems(c, fn);
      r = c.children.length ? undefined : null;
    } else r = fn(c);
    if (r === undefined) {
      out?.push(c);
      continue;
    }
    out ??= children.slice(0, i);
    if (r !== null) out.push(r);
  }
  if (out) g.children = out;
  if (g.children.length === 0) g.link = 'and';
}

export function markApplied(run: RunState, d: DetectionItem, id: string): void {
  if (!run.tracksItems) return;
  const applied = (run.itemApplied ??= new Map());
  let s = applied.get(d);
  if (!s) applied.set(d, (s = new Set()));
  s.add(id);
}

/**
 * A copy of a detection item that keeps the record of processing items applied to it. Its
 * modifiers and values arrays are shared: no transformation changes an item's arrays in place (they
 * give the copy new ones), so sharing them is safe and spares copying lists of thousands of values.
 */
export function copyItem(run: RunState, d: DetectionItem, changes: Partial<DetectionItem>): DetectionItem {
  // A plain spread and then the changes: two spreads in one literal take V8's slow path.
  const c: DetectionItem = { ...d };
  Object.assign(c, changes);
  const s = run.itemApplied?.get(d);
  if (s) run.itemApplied!.set(c, new Set(s));
  return c;
}
