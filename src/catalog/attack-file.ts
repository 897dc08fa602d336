// Node only: reads an ATT&CK data file for `quarry explore --attack FILE`. The rest of src/catalog is
// browser-safe; this is the one place that touches the file system.
import { readFileSync } from 'node:fs';
import { attackFromStixBundle } from './stix.js';
import type { AttackData } from './attack.js';

export class AttackFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'AttackFileError';
  }
}

/** An official enterprise-attack.json (STIX 2.0 or 2.1 bundle); errors name the file and the reason. */
export function readAttackFile(file: string): AttackData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AttackFileError(file, `cannot read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new AttackFileError(file, `not JSON: ${(e as Error).message}`);
  }
  try {
    return attackFromStixBundle(json);
  } catch (e) {
    throw new AttackFileError(file, (e as Error).message);
  }
}
