#!/usr/bin/env node
// Entry point of the published CLI: the compiled code lives in dist/ (built by `npm install`'s prepare).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`quarry: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
