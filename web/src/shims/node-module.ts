// node:module in the browser: the Kusto validator (Node-side) is never bundled, but be explicit.
import { unavailable } from './unavailable.js';
export const createRequire = (): never => unavailable('require');
