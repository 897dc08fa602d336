// Structured logs of the service: one JSON object per line on standard error, so a collector can
// read them and standard output stays detections only.
import { stringifyExact } from '../json/stringify-exact.js';

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function jsonLogger(write: (line: string) => void = (l) => void process.stderr.write(l)): Logger {
  return (level, msg, fields = {}) => write(stringifyExact({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
}
