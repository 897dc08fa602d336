// Output destinations checked before a command works (a long hunt must not end in "cannot open"),
// and failures while writing turned into one line with exit code 2 instead of a stack trace.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OutputError } from './usage.js';

/** A system error in words (the code is kept for anything not listed). */
export function systemReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'its folder does not exist';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EIO':
      return 'input/output error';
    default:
      return err.code ? `${err.code}: ${err.message.split(',')[0]}` : err.message;
  }
}

/** Refuses, in one line, a file that cannot be created or overwritten, before anything is done. */
export function checkOutputFile(path: string, flag: string): void {
  const fail = (reason: string) => new OutputError(`cannot write ${flag} ${path}: ${reason}`);
  let exists = true;
  try {
    if (statSync(path).isDirectory()) throw fail('it is a folder');
  } catch (e) {
    if (e instanceof OutputError) throw e;
    exists = false;
  }
  const folder = dirname(resolve(path));
  if (!exists) {
    try {
      if (!statSync(folder).isDirectory()) throw fail(`'${folder}' is not a folder`);
    } catch (e) {
      if (e instanceof OutputError) throw e;
      throw fail(`the folder '${folder}' does not exist`);
    }
  }
  try {
    accessSync(exists ? path : folder, constants.W_OK);
  } catch (e) {
    throw fail(systemReason(e));
  }
}

/** Runs a write; a system error becomes an OutputError naming the destination. */
export async function writing<T>(destination: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code && (e as NodeJS.ErrnoException).syscall) throw new OutputError(`cannot write ${destination}: ${systemReason(e)}`);
    throw e;
  }
}
