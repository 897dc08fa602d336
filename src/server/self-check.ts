// `quarry explore --check`: the explorer started as usual, then asked over HTTP for what a browser
// loads first (the page, the catalog, a rule page with its translations, the hunts), so one command
// shows that the whole chain works and ends, for scripts and setup checks.
import type { Explorer } from './index.js';

export interface CheckLine {
  what: string;
  ok: boolean;
  detail: string;
}

async function get(explorer: Explorer, path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(new URL(path, explorer.url));
  return { status: r.status, text: await r.text() };
}

export async function checkExplorer(explorer: Explorer): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const page = await get(explorer, '/');
  const tokened = page.text.includes(`content="${explorer.token}"`);
  lines.push({
    what: 'GET /',
    ok: page.status === 200 && page.text.includes('<script') && tokened,
    detail: page.status === 200 ? `the front end (${page.text.length} bytes)${tokened ? ", with this launch's token" : ", WITHOUT this launch's token: the page cannot change anything"}` : `${page.status}: ${page.text.trim()}`,
  });
  const catalog = await get(explorer, '/api/catalog');
  const entries = catalog.status === 200 ? (JSON.parse(catalog.text) as { entries: Array<{ key: string; title: string }> }).entries : [];
  lines.push({ what: 'GET /api/catalog', ok: catalog.status === 200, detail: `${entries.length} catalog entries` });
  const first = entries[0];
  if (first) {
    const path = `/api/rules/${encodeURIComponent(first.key)}`;
    const rule = await get(explorer, path);
    const translations = rule.status === 200 ? (JSON.parse(rule.text) as { translations: Array<{ ok: boolean }> }).translations : [];
    const converted = translations.filter((t) => t.ok);
    // The page asks for its translations' checks apart, once it is shown.
    const checks = rule.status === 200 ? await get(explorer, `${path}/checks`) : null;
    const verdicts = checks?.status === 200 ? Object.values(JSON.parse(checks.text) as Record<string, { ok: boolean }>) : [];
    lines.push({
      what: `GET ${path}`,
      ok: rule.status === 200 && checks?.status === 200,
      detail: `'${first.title}': ${converted.length} of ${translations.length} translations, ${verdicts.filter((c) => c.ok).length} validated`,
    });
  }
  const hunts = await get(explorer, '/api/hunts');
  const list = hunts.status === 200 ? (JSON.parse(hunts.text) as Array<{ label: string; detections: number }>) : [];
  lines.push({ what: 'GET /api/hunts', ok: hunts.status === 200, detail: list.map((h) => `${h.label}: ${h.detections} detections`).join('; ') || 'no hunts' });
  return lines;
}
