// Builds the explorer's front end (web/) into dist/web, served by `quarry explore`. The app imports
// Quarry's own browser-safe modules from src/ (catalog search, the engine and the converters for
// the playground). No Node built-in may be reached from them: web/tsconfig.json has no Node types,
// so the web type check (part of `npm run build`) fails on one before Vite bundles anything.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  // The playground's worker (web/src/playground-worker.ts) is an ES module, split like the app.
  worker: { format: 'es' },
  logLevel: 'warn',
});
