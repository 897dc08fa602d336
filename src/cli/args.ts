// Command-line parsing shared by the commands: node's parseArgs, with its errors turned into one
// line (exit code 2) that names the nearest valid option, and the paths a command is given checked
// before any work, so that a typo is never a silent empty run.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { statSync } from 'node:fs';
import { nearest } from '../sigma/nearest.js';
import { UsageError } from './usage.js';

/** parseArgs, with an unknown option or a missing value as a UsageError ("did you mean --rules?"). */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'([^']+)'/.exec(err.message)?.[1] ?? '';
      const known = Object.keys(config.options ?? {});
      const near = nearest(given.replace(/^-+/, '').split('=')[0]!, known, 3);
      const hint = near ? `did you mean --${near}?` : `the options are ${known.map((k) => `--${k}`).join(', ')}`;
      throw new UsageError(`unknown option '${given}' (${hint})`);
    }
    if (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(err.message.split('. ')[0]!.replace(/\.$/, ''));
    throw e;
  }
}

/** Every path must exist (a mistyped --rules must not become "0 rules loaded"). */
export function requireExistingPaths(paths: readonly string[], what: string): void {
  for (const p of paths) {
    if (p === '-') continue;
    try {
      statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`${what} '${p}': ${code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file or folder' : (e as Error).message}`);
    }
  }
}
