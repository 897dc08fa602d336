import path from 'node:path';
import { readFileSync } from 'node:fs';

/** ../shared/data relative to the repo root (tests run from the repo root). */
export const DATA = path.resolve(process.cwd(), '../shared/data');
export const EVTX_DIR = path.join(DATA, 'evtx');

export interface ManifestRow { path: string; ok: number; err: number; source: string }

/** Expected record counts per EVTX file: upstream_expected where given, else evtxexport/evtxinfo. */
export function manifestExpectations(): ManifestRow[] {
  const [header, ...lines] = readFileSync(path.join(DATA, 'manifest.tsv'), 'utf8').split('\n').filter(Boolean);
  if (header === undefined) throw new Error('manifest.tsv is empty');
  const cols = header.split('\t');
  const rows: ManifestRow[] = [];
  for (const line of lines) {
    const f = line.split('\t');
    const field = (name: string): string | undefined => f[cols.indexOf(name)];
    const p = field('path');
    if (p === undefined) throw new Error(`manifest.tsv: no path in ${JSON.stringify(line)}`);
    if (!p.startsWith('evtx/')) continue;
    const upstream = field('upstream_expected') ?? '';
    const info = Number(field('evtxinfo_records'));
    const exported = Number(field('evtxexport_records'));
    // both patterns' groups always take part in a match
    let m: RegExpMatchArray | null;
    if ((m = upstream.match(/^(\d+) ok \/ (\d+) err/))) rows.push({ path: p, ok: +m[1]!, err: +m[2]!, source: 'upstream' });
    else if ((m = upstream.match(/^(\d+) items incl\. (\d+) error/))) rows.push({ path: p, ok: +m[1]! - +m[2]!, err: +m[2]!, source: 'upstream' });
    else rows.push({ path: p, ok: exported > 0 ? exported : info, err: 0, source: exported > 0 ? 'evtxexport' : 'evtxinfo' });
  }
  return rows;
}

/** Parses a file of one or more concatenated pretty-printed JSON objects. */
export function parseConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0, start = -1, inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}
