// Builds the explorer's front end (web/) into dist/web, served by `quarry explore`. The app imports
// Quarry's own modules from src/ (catalog search, the engine and the converters for the
// playground); the few Node built-ins those modules import for file access are replaced by shims
// that say they are not available in the browser.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const shim = (name: string) => fileURLToPath(new URL(`./src/shims/${name}.ts`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    alias: [
      { find: /^node:fs$/, replacement: shim('node-fs') },
      { find: /^node:path$/, replacement: shim('node-path') },
      { find: /^node:url$/, replacement: shim('node-url') },
      { find: /^node:module$/, replacement: shim('node-module') },
    ],
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
