// Rule reload on file change: the rule paths are watched (folders recursively) and a change,
// once the files have been quiet for a moment (an editor or `git pull` writes several), triggers
// the same reload as SIGHUP. Watching is best effort: a path that cannot be watched is logged and
// SIGHUP still works.
import { watch, statSync, type FSWatcher } from 'node:fs';
import type { Logger } from './log.js';

export function watchRules(paths: readonly string[], onChange: () => void, log: Logger, quietMs = 500): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  const changed = (file: string | null) => {
    // Only rule files matter (not editor swap files or a .git folder's churn).
    if (file && !/\.ya?ml$/i.test(file)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, quietMs);
  };
  for (const p of paths) {
    try {
      const recursive = statSync(p).isDirectory();
      const w = watch(p, { recursive, persistent: false }, (_event, file) => changed(file === null ? null : String(file)));
      w.on('error', (e) => log('warn', 'rule watch stopped; SIGHUP still reloads', { path: p, reason: e.message }));
      watchers.push(w);
    } catch (e) {
      log('warn', 'rules cannot be watched for changes; SIGHUP still reloads', { path: p, reason: (e as Error).message });
    }
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
