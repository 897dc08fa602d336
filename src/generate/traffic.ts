// The traffic model behind every generated format: one ProxyRequest per log line, drawn from a mix
// of browsers, Windows Update, BITS jobs to common and uncommon places, and the tricks that defeat
// naive "uncommon TLD" rules (path tricks, ports, upper case, trailing dots, private suffixes, IPs).

import type { Random } from './random.js';

export type TrafficKind = 'browser' | 'windows-update' | 'bits-common' | 'bits-vendor' | 'bits-uncommon' | 'other-agent';

export interface ProxyRequest {
  kind: TrafficKind;
  /** Milliseconds since the epoch. */
  time: number;
  clientIp: string;
  user: string | null;
  method: string;
  scheme: 'http' | 'https';
  /** The Host header as the client sent it: may carry a port, upper case, a trailing dot. */
  hostHeader: string;
  /** The host without a port (still as written). */
  host: string;
  port: number;
  /** Path, starting with '/'. */
  path: string;
  /** Query without '?', or null. */
  query: string | null;
  /** The absolute URL: scheme://hostHeader/path?query. */
  url: string;
  userAgent: string;
  referer: string | null;
  status: number;
  /** Response bytes. */
  scBytes: number;
  /** Request bytes. */
  csBytes: number;
  contentType: string;
  serverIp: string;
  /** Milliseconds. */
  elapsed: number;
  /** BITS jobs: the job's owner process and local file (for 16403 events). */
  bits?: { processPath: string; localName: string; jobTitle: string };
}

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
];
const OTHER_AGENTS = ['Microsoft-CryptoAPI/10.0', 'Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50', 'curl/8.10.1', 'MICROSOFT_DEVICE_METADATA_RETRIEVAL_CLIENT', 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129; Pro)'];
const BITS_AGENTS = ['Microsoft BITS/7.8', 'Microsoft BITS/7.8', 'Microsoft BITS/7.8', 'Microsoft BITS/7.7', 'Microsoft BITS/7.5'];

const BROWSER_HOSTS = ['www.google.com', 'outlook.office365.com', 'github.com', 'en.wikipedia.org', 'www.bbc.co.uk', 'news.ycombinator.com', 'www.spiegel.de', 'cdn.jsdelivr.net', 'fonts.gstatic.com', 'static.example-shop.fr', 'intranet.corp.example.com', 'login.microsoftonline.com'];
const WU_HOSTS = ['download.windowsupdate.com', 'au.download.windowsupdate.com', 'dl.delivery.mp.microsoft.com', 'tlu.dl.delivery.mp.microsoft.com'];
const BITS_COMMON_HOSTS = ['officecdn.microsoft.com', 'download.mozilla.org', 'dl.google.com', 'updates.vendor-soft.net', 'download.example.org', 'cdn.onenote.net'];
/** Vendor CDNs whose suffix is not .com/.net/.org (the seed rule's own exceptions, and more). */
const BITS_VENDOR_HOSTS = ['oneclient.sfx.ms', 'g.live.sfx.ms', 'audio-fa.scdn.co', 'tscdn.m365.static.microsoft', 'fe3.delivery.azureedge.net'];
/** The hosts a hunter wants to see: uncommon TLDs, regional TLDs, private suffixes, IPs. */
const BITS_UNCOMMON_HOSTS = ['evil.top', 'cdn-update.top', 'files.example-mirror.de', 'update.example.ru', 'x.duckdns.org', 'pay.load.ngrok.io', 'drop.example.xyz', 'mirror.example.co.uk', 'dl.example.ca', 'stage2.example.zip', '203.0.113.9', '198.51.100.23'];
const FILES = ['setup.exe', 'update.msi', 'payload.exe', 'agent.msi', 'p.exe', 'KB5044284.cab', 'patch.msu', 'data.bin', 'config.json', 'x.ps1', 'tool.zip'];

export interface TrafficOptions {
  start: number;
  /** Share of requests that are BITS downloads to uncommon places (default 0.04). */
  uncommonShare?: number;
}

/** An endless, deterministic stream of requests. */
export function* traffic(rnd: Random, opts: TrafficOptions, only?: 'bits'): Generator<ProxyRequest> {
  let time = opts.start;
  const clients = Array.from({ length: 64 }, (_, i) => `10.${1 + (i >> 4)}.${(i * 7) % 250}.${10 + i}`);
  const users = ['CORP\\jdoe', 'CORP\\asmith', 'CORP\\svc-deploy', null, null];
  const u = opts.uncommonShare ?? 0.04;
  const mix: ReadonlyArray<readonly [number, TrafficKind]> =
    only === 'bits'
      ? [[0.3, 'windows-update'], [0.35, 'bits-common'], [0.15, 'bits-vendor'], [0.2, 'bits-uncommon']]
      : [[0.78 - u, 'browser'], [0.06, 'windows-update'], [0.05, 'bits-common'], [0.03, 'bits-vendor'], [u, 'bits-uncommon'], [0.08, 'other-agent']];
  for (;;) {
    time += rnd.int(1, 120);
    const kind = rnd.weighted(mix);
    yield request(rnd, kind, time, rnd.pick(clients), rnd.pick(users), only === 'bits');
  }
}

function request(rnd: Random, kind: TrafficKind, time: number, clientIp: string, user: string | null, forceBits: boolean): ProxyRequest {
  let host: string;
  let userAgent: string;
  let path: string;
  let query: string | null = null;
  let scheme: 'http' | 'https' = rnd.chance(0.5) ? 'https' : 'http';
  let port = 0;
  let referer: string | null = null;
  let method = 'GET';
  let contentType = 'application/octet-stream';
  const file = rnd.pick(FILES);
  switch (kind) {
    case 'browser':
      host = rnd.pick(BROWSER_HOSTS);
      userAgent = rnd.pick(BROWSERS);
      path = rnd.pick(['/', '/index.html', '/search', '/assets/app.js', '/img/logo.png', '/api/v1/items', '/wiki/Main_Page', '/css/site.css']);
      if (path === '/search' || rnd.chance(0.2)) query = `q=${rnd.pick(['sigma+rules', 'bits', 'weather', 'news'])}&n=${rnd.int(1, 50)}`;
      if (rnd.chance(0.4)) referer = `https://${rnd.pick(BROWSER_HOSTS)}/`;
      method = rnd.chance(0.9) ? 'GET' : 'POST';
      contentType = path.endsWith('.js') ? 'application/javascript' : path.endsWith('.png') ? 'image/png' : path.endsWith('.css') ? 'text/css' : 'text/html';
      // Browsers also go to odd places: a non-BITS agent at an uncommon TLD is not a finding.
      if (rnd.chance(0.05)) host = rnd.pick(BITS_UNCOMMON_HOSTS);
      break;
    case 'other-agent':
      host = rnd.pick([...BROWSER_HOSTS, ...WU_HOSTS, 'ctldl.windowsupdate.com', 'crl.example-ca.de']);
      userAgent = rnd.pick(OTHER_AGENTS);
      path = rnd.pick(['/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab', '/pki/crl/root.crl', '/v1/status', '/']);
      contentType = 'application/vnd.ms-cab-compressed';
      break;
    case 'windows-update':
      host = rnd.pick(WU_HOSTS);
      userAgent = rnd.pick(BITS_AGENTS);
      path = `/filestreamingservice/files/${rnd.hex(8)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(12)}`;
      if (rnd.chance(0.5)) query = `P1=${rnd.int(1600000000, 1800000000)}&P2=404&P3=2&P4=${rnd.hex(24)}`;
      scheme = 'http';
      break;
    case 'bits-common':
      host = rnd.pick(BITS_COMMON_HOSTS);
      userAgent = rnd.pick(BITS_AGENTS);
      path = `/${rnd.pick(['pr', 'download', 'release', 'files'])}/${rnd.hex(6)}/${file}`;
      // A port on a common host: `legit.com:8080` defeats an endswith('.com') exclusion.
      if (rnd.chance(0.15)) port = rnd.pick([8080, 8443]);
      if (rnd.chance(0.1)) host = host.toUpperCase();
      if (rnd.chance(0.05)) host = `${host}.`;
      break;
    case 'bits-vendor':
      host = rnd.pick(BITS_VENDOR_HOSTS);
      userAgent = rnd.pick(BITS_AGENTS);
      path = `/${rnd.pick(['PreSignInSettings/Prod', 'content', 'static'])}/${rnd.hex(8)}/${file}`;
      scheme = 'https';
      break;
    case 'bits-uncommon':
    default:
      host = rnd.pick(BITS_UNCOMMON_HOSTS);
      userAgent = rnd.pick(BITS_AGENTS);
      // Path tricks: a common TLD in the path fools substring rules on the URL.
      path = rnd.chance(0.3) ? `/${rnd.pick(['x.com', 'cdn.microsoft.com', 'update.net'])}/${file}` : `/${rnd.hex(4)}/${file}`;
      if (rnd.chance(0.15)) port = rnd.pick([8080, 8443, 4444]);
      if (rnd.chance(0.15)) host = host.toUpperCase();
      if (rnd.chance(0.1)) host = `${host}.`;
      break;
  }
  if (forceBits && !userAgent.startsWith('Microsoft BITS/')) userAgent = 'Microsoft BITS/7.8';
  const isBits = userAgent.startsWith('Microsoft BITS/');
  if (isBits && rnd.chance(0.2)) method = 'HEAD';
  const hostHeader = port ? `${host}:${port}` : host;
  const url = `${scheme}://${hostHeader}${path}${query !== null ? `?${query}` : ''}`;
  const status = rnd.weighted([[80, isBits && method === 'GET' && rnd.chance(0.5) ? 206 : 200], [8, 304], [6, 404], [3, 302], [3, 403]] as const);
  const scBytes = method === 'HEAD' || status === 304 ? rnd.int(200, 600) : rnd.int(300, 5_000_000);
  const out: ProxyRequest = {
    kind,
    time,
    clientIp,
    user,
    method,
    scheme,
    hostHeader,
    host,
    port: port || (scheme === 'https' ? 443 : 80),
    path,
    query,
    url,
    userAgent,
    referer,
    status,
    scBytes,
    csBytes: rnd.int(180, 1200),
    contentType,
    serverIp: /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : `${rnd.pick([23, 93, 104, 151, 185])}.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`,
    elapsed: rnd.int(1, 3000),
  };
  if (isBits) {
    const name = path.slice(path.lastIndexOf('/') + 1) || 'download.bin';
    out.bits = {
      processPath: rnd.pick(['C:\\Windows\\System32\\bitsadmin.exe', 'C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Program Files\\Microsoft OneDrive\\OneDriveStandaloneUpdater.exe']),
      localName: `C:\\Users\\${(user ?? 'CORP\\system').split('\\')[1]}\\AppData\\Local\\Temp\\${name}`,
      jobTitle: rnd.pick(['upd', 'Microsoft Outlook Offline Address Book', 'Windows Update', 'job', 'Push Notification Platform Job: 1']),
    };
  }
  return out;
}
