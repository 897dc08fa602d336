// The playground's matching, off the page's thread: the browser's regex engine backtracks, and a
// rule regex such as `(.|.)*!` takes exponential time on a long value. Run here, such a rule can
// only stall this worker, which the page ends when its time budget runs out (playground-runner.ts).
import * as yaml from 'yaml';
import * as tldts from 'tldts';
import { provideYamlPackage } from '../../src/sigma/yaml-package.js';
import { provideTldtsPackage } from '../../src/enrich/tldts-package.js';
import { runPlayground, type PlaygroundInput } from '../../src/playground/run.js';

// Node requires these on first use (src/sigma/yaml-package.ts, src/enrich/tldts-package.ts); a bundle has them from the start.
provideYamlPackage(yaml);
provideTldtsPackage(tldts);

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ id: number; input: PlaygroundInput }>) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { id, input } = e.data;
  try {
    scope.postMessage({ id, outcome: { result: runPlayground(input) } });
  } catch (err) {
    scope.postMessage({ id, outcome: { crash: (err as Error).message } });
  }
};
// Loaded (the engine and the converters are large): the page starts the time budget from here.
scope.postMessage({ ready: true });
