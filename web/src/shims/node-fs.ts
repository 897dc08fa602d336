// node:fs in the browser: rule and pipeline files come from the page, never from a disk.
import { unavailable } from './unavailable.js';
export const readFileSync = (): never => unavailable('reading files');
export const readdirSync = (): never => unavailable('listing folders');
export const statSync = (): never => unavailable('file status');
export const existsSync = (): boolean => false;
export const writeFileSync = (): never => unavailable('writing files');
