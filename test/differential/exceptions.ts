// Disagreements the differential accepts, each for one target and one rule file, with the reason
// (a target semantics that cannot be exact). A table entry that no disagreement uses is an error
// too, so the table cannot outlive its reason.
import type { Disagreement } from './tally.js';

/** `<target> <rule file relative to sigmahq/>` → why the target cannot give the oracle's answer there. */
export type ExceptionTable = Readonly<Record<string, string>>;

export function exceptionKey(d: Pick<Disagreement, 'target' | 'file'>): string {
  return `${d.target} ${d.file}`;
}

export function sortOut(disagreements: readonly Disagreement[], table: ExceptionTable): { failing: Disagreement[]; used: Set<string> } {
  const used = new Set<string>();
  const failing: Disagreement[] = [];
  for (const d of disagreements) {
    const key = exceptionKey(d);
    if (Object.hasOwn(table, key)) used.add(key);
    else failing.push(d);
  }
  return { failing, used };
}

/** Table entries of this target that no disagreement used. */
export function unusedExceptions(table: ExceptionTable, target: string, used: ReadonlySet<string>): string[] {
  return Object.keys(table).filter((k) => k.startsWith(`${target} `) && !used.has(k));
}
