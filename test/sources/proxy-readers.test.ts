// The line-oriented readers (W3C, Squid, Zeek TSV, CSV) on hand-written inputs: every format
// feature, every malformed-line path, chunk edges anywhere, gzip, sniffing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openSource, sniffFormat, detectFormat } from '../../src/sources/open-source.js';
import { readW3cEvents, splitW3c } from '../../src/sources/w3c-reader.js';
import { readSquidEvents } from '../../src/sources/squid-reader.js';
import { readZeekTsvEvents, unescapeZeek } from '../../src/sources/zeek-tsv-reader.js';
import { readCsvEvents } from '../../src/sources/csv-reader.js';
import { urlParts } from '../../src/sources/url-parts.js';
import type { ByteChunks } from '../../src/sources/byte-input.js';
import type { EventSource, SourceProblem, SourceRecord } from '../../src/sources/types.js';
import { bigintReplacer, chunked, DATA, readAll } from './helpers.js';
import { firstItems } from '../items.js';

type Make = (input: ByteChunks) => EventSource;

/** Reads with several chunk sizes, demands identical results, returns the first. */
async function readWith(make: Make, text: string, sizes = [1, 2, 7, 64, 1 << 20]): Promise<{ records: SourceRecord[]; problems: SourceProblem[]; count: number; source: EventSource }> {
  let first: { records: SourceRecord[]; problems: SourceProblem[]; count: number; source: EventSource } | undefined;
  for (const size of sizes) {
    const source = make(chunked(text, size));
    const r = await readAll(source);
    const result = { ...r, count: source.problemCount, source };
    if (!first) first = result;
    else assert.equal(JSON.stringify([result.records, result.problems], bigintReplacer), JSON.stringify([first.records, first.problems], bigintReplacer), `chunk size ${size}`);
  }
  return first!;
}

const w3c: Make = (input) => readW3cEvents('mem', input);
const squid: Make = (input) => readSquidEvents('mem', input);
const zeek: Make = (input) => readZeekTsvEvents('mem', input);
const csv: Make = (input) => readCsvEvents('mem', input);

// --- W3C ----------------------------------------------------------------------------------------

const IIS = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2026-11-20 08:15:03',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
  '2026-11-20 08:15:03 10.0.0.8 GET /x.com/p.exe - 80 CORP\\j+doe 10.1.2.3 Microsoft+BITS/7.8 - 200 0 0 15',
  '2026-11-20 08:15:04 10.0.0.8 GET /search q=a+b&c=%20 443 - 10.1.2.4 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://ex.com/?q=a+b 404 2 64 7',
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2026-11-20 09:00:00',
  '#Fields: date time cs-method cs-uri-stem cs-host cs(User-Agent) sc-status sc-bytes',
  '2026-11-20 09:00:01 GET /c++/a.tar.gz EVIL.TOP.:8080 Microsoft+BITS/7.5 206 1234',
  '',
].join('\r\n');

test('W3C (IIS): directives, #Fields changing mid-file, - as null, numbers, + decoded in header fields only', async () => {
  const { records, problems, source } = await readWith(w3c, IIS);
  assert.deepEqual(problems, []);
  assert.equal(records.length, 3);
  assert.deepEqual(records.map((r) => r.location.line), [5, 6, 11]);
  const [a, b, c] = firstItems(records.map((r) => r.event), 3);
  assert.equal(a['cs(User-Agent)'], 'Microsoft BITS/7.8');
  assert.equal(a['cs-username'], 'CORP\\j doe');
  assert.equal(a['cs-uri-query'], null);
  assert.equal(a['cs(Referer)'], null);
  assert.equal(a['sc-status'], 200);
  assert.equal(a['time-taken'], 15);
  assert.equal(a['s-port'], 80);
  // Derived: extension of the stem, cs-uri as the server saw it.
  assert.equal(a['cs-uri-extension'], 'exe');
  assert.equal(a['cs-uri'], '/x.com/p.exe');
  assert.equal(a['cs-host'], undefined); // IIS without cs-host: nothing to derive it from
  // The query keeps its `+` (data there); the referer header is decoded.
  assert.equal(b['cs-uri-query'], 'q=a+b&c=%20');
  assert.equal(b['cs(User-Agent)'], 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
  assert.equal(b['cs(Referer)'], 'https://ex.com/?q=a b');
  assert.equal(b['cs-uri'], '/search?q=a+b&c=%20');
  assert.equal(b['sc-win32-status'], 64);
  // After the second #Fields:, the new columns.
  assert.deepEqual(Object.keys(c).slice(0, 6), ['date', 'time', 'cs-method', 'cs-uri-stem', 'cs-host', 'cs(User-Agent)']);
  assert.equal(c['cs-uri-stem'], '/c++/a.tar.gz'); // the stem keeps its +
  assert.equal(c['cs-host'], 'EVIL.TOP.:8080');
  assert.equal(c['cs(User-Agent)'], 'Microsoft BITS/7.5');
  assert.equal(c['sc-bytes'], 1234);
  assert.equal(c['cs-uri-extension'], 'gz');
  assert.equal(c['s-ip'], undefined);
  assert.equal(source.format, 'w3c');
  assert.equal(source.pipeline, 'w3c');
});

const ELFF = [
  '#Software: SGOS 7.3.6.1',
  '#Version: 1.0',
  '#Fields: date time c-ip cs-username cs-categories cs(Referer) sc-status s-action cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs(User-Agent) sc-bytes',
  '2026-11-20 08:15:03 10.1.2.3 - "Suspicious;Uncategorized" - 200 TCP_NC_MISS GET http evil.top 8080 /x.com/p.exe - "Microsoft BITS/7.8" 73802',
  '2026-11-20 08:15:04 10.1.2.3 "CORP\\j doe" "a ""quoted"" one" "http://ref/" 200 TCP_HIT GET https x.duckdns.org 443 /a+b.ps1 x=1+2 "Mozilla/5.0 (X11; Linux x86_64)" 10',
].join('\n');

test('W3C (ELFF): quoted values with spaces and doubled quotes, + untouched, derived stem/extension/URI', async () => {
  const { records, problems, source } = await readWith(w3c, ELFF);
  assert.deepEqual(problems, []);
  const [a, b] = firstItems(records.map((r) => r.event), 2);
  assert.equal(a['cs(User-Agent)'], 'Microsoft BITS/7.8');
  assert.equal(a['cs-categories'], 'Suspicious;Uncategorized');
  assert.equal(a['cs-uri-stem'], '/x.com/p.exe'); // from cs-uri-path
  assert.equal(a['cs-uri-extension'], 'exe');
  assert.equal(a['cs-uri'], 'http://evil.top:8080/x.com/p.exe');
  assert.equal(a['cs-uri-port'], 8080);
  assert.equal(b['cs-username'], 'CORP\\j doe');
  assert.equal(b['cs-categories'], 'a "quoted" one');
  assert.equal(b['cs-uri-path'], '/a+b.ps1');
  assert.equal(b['cs-uri-query'], 'x=1+2');
  assert.equal(b['cs-uri'], 'https://x.duckdns.org/a+b.ps1?x=1+2'); // default port left out
  assert.deepEqual(source.logsource, undefined); // readW3cEvents without a header: the caller did not say
});

test('W3C log source: ELFF proxy columns → proxy; IIS naming its site → webserver; else not said', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-w3c-'));
  try {
    const site = '#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-sitename s-ip cs-method\n2026-11-20 08:00:00 W3SVC1 10.0.0.8 GET\n';
    const files = { iis: IIS, site, elff: ELFF, plain: '#Version: 1.0\n#Fields: date time c-ip cs-method\n2026-11-20 08:00:00 10.0.0.1 GET\n' };
    const got: Record<string, unknown> = {};
    for (const [k, text] of Object.entries(files)) {
      writeFileSync(join(dir, k), text);
      const s = await openSource(join(dir, k));
      assert.equal(s.format, 'w3c');
      got[k] = s.logsource;
    }
    // IIS's default columns could be a web server or an ARR forward proxy: not said, so both kinds of rules apply.
    assert.deepEqual(got, { iis: undefined, site: { category: 'webserver' }, elff: { category: 'proxy' }, plain: undefined });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('W3C malformed lines are counted at their line, the rest is read', async () => {
  const text = [
    '2026-11-20 08:00:00 before any fields',
    '#Fields: date time cs-host',
    '2026-11-20 08:00:01 a.com',
    '2026-11-20 08:00:02 too many values here',
    '2026-11-20 08:00:03 "unterminated',
    '#Fields:',
    '2026-11-20 08:00:04 ignored.com',
    '#Fields: cs-host',
    'b.top',
  ].join('\n');
  const { records, problems, count } = await readWith(w3c, text);
  assert.deepEqual(records.map((r) => [r.location.line, r.event['cs-host']]), [[3, 'a.com'], [9, 'b.top']]);
  assert.equal(count, 5);
  assert.deepEqual(problems.map((p) => p.location.line), [1, 4, 5, 6, 7]);
  assert.match(problems[0]!.message, /before any #Fields/);
  assert.match(problems[1]!.message, /6 values for 3 #Fields/);
  assert.match(problems[2]!.message, /unterminated quoted value/);
});

test('splitW3c: tabs, runs of spaces, empty quoted values', () => {
  assert.deepEqual(splitW3c('a\t b  "" "x y"'), [{ value: 'a', quoted: false }, { value: 'b', quoted: false }, { value: '', quoted: true }, { value: 'x y', quoted: true }]);
  assert.equal(splitW3c('"a'), null);
});

// --- Squid --------------------------------------------------------------------------------------

test('Squid native: columns, URL authority as host, CONNECT, extra columns', async () => {
  const text = [
    '1763626503.200    150 10.1.2.3 TCP_MISS/200 73802 GET http://EVIL.TOP.:8080/x.com/p.exe?a=1 - HIER_DIRECT/203.0.113.9 application/octet-stream',
    '1763626504.001     12 10.1.2.4 TCP_TUNNEL/200 5120 CONNECT login.example.com:443 jdoe HIER_DIRECT/93.184.216.34 -',
    '1763626505.5 0 10.1.2.5 TCP_DENIED/403 3900 GET http://user:pw@x.duckdns.org/ - HIER_NONE/- text/html [Host: x]',
  ].join('\n');
  const { records, problems, source } = await readWith(squid, text);
  assert.deepEqual(problems, []);
  const [a, b, c] = firstItems(records.map((r) => r.event), 3);
  assert.deepEqual(a, {
    time: 1763626503.2, elapsed: 150, client: '10.1.2.3', action: 'TCP_MISS', status: 200, size: 73802, method: 'GET',
    url: 'http://EVIL.TOP.:8080/x.com/p.exe?a=1', ident: null, hierarchy: 'HIER_DIRECT', server: '203.0.113.9', content_type: 'application/octet-stream',
    host: 'EVIL.TOP.:8080', uri_path: '/x.com/p.exe', uri_query: 'a=1', uri_extension: 'exe',
  });
  assert.equal(b.host, 'login.example.com:443');
  assert.equal(b.uri_path, '');
  assert.equal(b.ident, 'jdoe');
  assert.equal(c.host, 'x.duckdns.org'); // user info is not part of the Host header
  assert.equal(c.server, null);
  assert.equal(c.extra, '[Host: x]');
  assert.deepEqual(source.logsource, { category: 'proxy' });
  assert.equal(source.pipeline, 'squid');
});

test('Squid native: a line cut short or with a malformed column is a problem at its line; the next line reads', async () => {
  const good = '1763626503.200    150 10.1.2.3 TCP_MISS/200 73802 GET http://evil.top/p.exe - HIER_DIRECT/203.0.113.9 text/html';
  const text = [
    good.split(' ').slice(0, -1).join(' '), // nine columns: no content type
    '1763626503.200 150 10.1.2.3 TCP_MISS/200',
    good.replace('TCP_MISS/200', 'TCP_MISS'), // action without /status
    good.replace('73802', 'lots'),
    good,
  ].join('\n');
  const { records, problems, count } = await readWith(squid, text);
  assert.equal(count, 4);
  assert.deepEqual(problems.map((p) => p.location.line), [1, 2, 3, 4]);
  for (const p of problems) assert.match(p.message, /not a Squid access\.log line/);
  assert.deepEqual(records.map((r) => [r.location.line, r.event.content_type]), [[5, 'text/html']]);
});

test('Squid combined: quoted request, referer and user agent; malformed lines counted', async () => {
  const text = [
    '10.1.2.3 - CORP%5Cjdoe [20/Nov/2026:08:15:03 +0000] "GET http://evil.top/x.com/p.exe HTTP/1.1" 200 73802 "-" "Microsoft BITS/7.8" TCP_MISS:HIER_DIRECT',
    'garbage line',
    '10.1.2.4 - - [20/Nov/2026:08:15:04 +0000] "CONNECT legit.com:8443 HTTP/1.1" 200 0 "http://r/\\"q\\"" "Mozilla/5.0 (X)" TCP_TUNNEL:HIER_DIRECT',
    '192.0.2.1 - - [20/Nov/2026:08:15:05 +0000] "GET /index.html HTTP/1.0" 304 0',
  ].join('\n');
  const { records, problems } = await readWith(squid, text);
  assert.deepEqual(problems.map((p) => p.location.line), [2]);
  assert.match(problems[0]!.message, /not a Squid access\.log line/);
  const [a, b, c] = firstItems(records.map((r) => r.event), 3);
  assert.equal(a.user_agent, 'Microsoft BITS/7.8');
  assert.equal(a.user, 'CORP%5Cjdoe');
  assert.equal(a.host, 'evil.top');
  assert.equal(a.version, '1.1');
  assert.equal(a.referer, null);
  assert.equal(a.action, 'TCP_MISS');
  assert.equal(a.hierarchy, 'HIER_DIRECT');
  assert.equal(b.host, 'legit.com:8443');
  assert.equal(b.referer, 'http://r/"q"');
  assert.equal(c.host, undefined); // a path only: no authority to give
  assert.equal(c.uri_path, '/index.html');
  assert.equal(c.user_agent, undefined);
  assert.deepEqual(records.map((r) => r.location.line), [1, 3, 4]);
});

test('urlParts: absolute, origin-form, authority-form, user info, fragments', () => {
  assert.deepEqual(urlParts('http://evil.top/x.com/p.exe'), { authority: 'evil.top', path: '/x.com/p.exe', extension: 'exe' });
  assert.deepEqual(urlParts('https://u:p@Legit.COM.:8080?x#f'), { authority: 'Legit.COM.:8080', path: '', query: 'x' });
  assert.deepEqual(urlParts('/a/b.tar.gz?q=1'), { path: '/a/b.tar.gz', query: 'q=1', extension: 'gz' });
  assert.deepEqual(urlParts('host.example:443'), { authority: 'host.example:443', path: '' });
  assert.deepEqual(urlParts('http://[2001:db8::1]:8080/a'), { authority: '[2001:db8::1]:8080', path: '/a' });
  assert.deepEqual(urlParts('/dir.d/'), { path: '/dir.d/' });
  assert.deepEqual(urlParts('/.profile'), { path: '/.profile' });
});

// --- Zeek TSV -----------------------------------------------------------------------------------

test('Zeek TSV: headers, typed values, sets, empty and unset, escapes, a second header block', async () => {
  const text = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\thttp',
    '#fields\tts\tid.orig_h\tid.orig_p\ttrans_depth\thost\turi\tuser_agent\trequest_body_len\ttags\tresp_mime_types\tproxied\tdur\tok\tbig',
    '#types\ttime\taddr\tport\tcount\tstring\tstring\tstring\tcount\tset[enum]\tvector[string]\tset[string]\tinterval\tbool\tcount',
    '1588206738.095510\t10.0.1.4\t60757\t1\tevil.top\t/x.com/p.exe?a=b\tMicrosoft BITS/7.8\t0\t(empty)\ttext/html,a\\x2cb\t-\t0.5\tT\t18446744073709551615',
    '1588206739.000000\t10.0.1.4\t60757\tnot-a-count\tevil.top\t/\tx\t0\t(empty)\t-\t-\t1\tF\t1',
    '1588206740.000000\t10.0.1.4\t60757\t2\t\\xc3\\xa9vil.top\t(empty)\tx\\x09y\t0\tA,B\t-\t-\t1\tF\t1',
    'short\tline',
    '#close\t2020-04-30-00-00-00',
    '#separator \\x7c',
    '#fields|ts|host',
    '#types|time|string',
    '1.5|a|b',
    '2.5|new.example',
  ].join('\n');
  const { records, problems, count, source } = await readWith(zeek, text);
  assert.equal(count, 3);
  assert.deepEqual(problems.map((p) => p.location.line), [9, 11, 16]);
  assert.match(problems[0]!.message, /trans_depth: 'not-a-count' is not a count/);
  assert.match(problems[1]!.message, /2 values for 14 #fields/);
  assert.deepEqual(records.map((r) => r.location.line), [8, 10, 17]);
  const [a, b, c] = firstItems(records.map((r) => r.event), 3);
  assert.deepEqual(a, {
    ts: 1588206738.09551, 'id.orig_h': '10.0.1.4', 'id.orig_p': 60757, trans_depth: 1, host: 'evil.top', uri: '/x.com/p.exe?a=b', user_agent: 'Microsoft BITS/7.8',
    request_body_len: 0, tags: [], resp_mime_types: ['text/html', 'a,b'], proxied: null, dur: 0.5, ok: true, big: 18446744073709551615n,
    uri_path: '/x.com/p.exe', uri_query: 'a=b', uri_extension: 'exe',
  });
  assert.equal(b.host, 'évil.top');
  assert.equal(b.uri, '');
  assert.equal(b.user_agent, 'x\ty');
  assert.deepEqual(b.tags, ['A', 'B']);
  assert.deepEqual(c, { ts: 2.5, host: 'new.example' }); // #path is still http, but no uri to derive from
  assert.equal(source.format, 'zeek-tsv');
  assert.equal(unescapeZeek('a\\x5cb\\xff'), 'a\\b\xff');
});

test('the Zeek TSV http.log in the shared data parses completely: events = data lines', async () => {
  const file = join(DATA, 'proxy', 'zeek-tsv-simda-dga-http.log');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const data = lines.filter((l) => !l.startsWith('#'));
  const source = await openSource(file);
  assert.equal(source.format, 'zeek-tsv');
  assert.deepEqual(source.logsource, { category: 'proxy', product: 'zeek', service: 'http' });
  assert.equal(source.pipeline, 'zeek-http');
  const { records, problems } = await readAll(source);
  assert.deepEqual(problems, []);
  assert.equal(records.length, data.length);
  assert.equal(records.length, 992);
  const first = records[0]!.event;
  assert.equal(first.host, 'gatyfus.com');
  assert.equal(first['id.resp_p'], 80);
  assert.equal(first.status_code, 302);
  assert.deepEqual(first.resp_mime_types, ['text/html']);
  assert.equal(first.info_code, null);
  assert.deepEqual(first.tags, []);
  // Every record has every column, typed.
  for (const r of records) {
    assert.equal(typeof r.event.ts, 'number');
    assert.equal(typeof r.event.user_agent, 'string');
  }
});

// --- CSV ----------------------------------------------------------------------------------------

test('CSV: RFC 4180 quoting, quoted line breaks (record at its first line), cell-count problems', async () => {
  const text = 'time,host,"user agent",note\r\n1,a.com,"Microsoft BITS/7.8",plain\r\n2,b.top,"Mozilla ""5""","two\r\nlines"\r\n3,c.org\r\n\r\n4,"d,e",x,\r\n5,"open,x,y,z\n';
  const { records, problems, count, source } = await readWith(csv, text);
  assert.deepEqual(records.map((r) => [r.location.line, r.event]), [
    [2, { time: '1', host: 'a.com', 'user agent': 'Microsoft BITS/7.8', note: 'plain' }],
    [3, { time: '2', host: 'b.top', 'user agent': 'Mozilla "5"', note: 'two\nlines' }], // a quoted CRLF reads as \n
    [7, { time: '4', host: 'd,e', 'user agent': 'x', note: '' }],
  ]);
  assert.equal(count, 2);
  assert.deepEqual(problems.map((p) => p.location.line), [5, 8]);
  assert.match(problems[0]!.message, /2 cells for 4 header fields/);
  assert.match(problems[1]!.message, /unterminated quoted value at the end of input/);
  assert.equal(source.format, 'csv');
  assert.equal(source.logsource, undefined);
});

// --- Sniffing, gzip, explicit format ------------------------------------------------------------

test('sniffFormat tells every text format from its content', () => {
  const b = (s: string) => Buffer.from(s, 'utf8');
  assert.equal(sniffFormat(b('#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n')), 'w3c');
  assert.equal(sniffFormat(b('\ufeff#Fields: date time cs-host\n')), 'w3c');
  assert.equal(sniffFormat(b('#separator \\x09\n#set_separator\t,\n')), 'zeek-tsv');
  assert.equal(sniffFormat(b('1763626503.200    150 10.1.2.3 TCP_MISS/200 73802 GET http://a/ - HIER_DIRECT/1.2.3.4 text/html\n')), 'squid');
  assert.equal(sniffFormat(b('10.1.2.3 - - [20/Nov/2026:08:15:03 +0000] "GET http://a/ HTTP/1.1" 200 5 "-" "UA" TCP_MISS:HIER_DIRECT\n')), 'squid');
  assert.equal(sniffFormat(b('a,b,c\n1,2,3\n4,"5\n6",7\n')), 'csv');
  assert.equal(sniffFormat(b('{"ts":1.5,"uid":"C1","id.orig_h":"10.0.0.1","method":"GET","uri":"/"}\n')), 'zeek-json');
  assert.equal(sniffFormat(b('{"_path":"http","uid":"C1"}\n')), 'zeek-json');
  assert.equal(sniffFormat(b('{"_path":"dns","uid":"C1"}\n')), 'json');
  assert.equal(sniffFormat(b('{\n "uid": "C1", "id.orig_h": "x", "method": "GET"\n}\n')), 'json'); // pretty-printed: plain JSON
  assert.equal(sniffFormat(b('a,b\n1,2,3\n')), undefined); // ragged: not CSV
  assert.equal(sniffFormat(b('1,2\n3,4\n')), undefined); // no header
  assert.equal(sniffFormat(b('hello world\n')), undefined);
});

test('gzip and an explicit format: every reader gets the unpacked text; format overrides sniffing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-gz-'));
  try {
    const cases: Array<[string, string, string, number]> = [
      ['w3c', IIS, 'w3c', 3],
      ['squid', '1763626503.200 150 10.1.2.3 TCP_MISS/200 1 GET http://a.top/ - HIER_DIRECT/1.2.3.4 -\n', 'squid', 1],
      ['zeek', readFileSync(join(DATA, 'proxy', 'zeek-tsv-simda-dga-http.log'), 'utf8'), 'zeek-tsv', 992],
      ['csv', 'a,b\n1,2\n', 'csv', 1],
    ];
    for (const [name, text, format, n] of cases) {
      const file = join(dir, `${name}.bin`);
      writeFileSync(file, gzipSync(Buffer.from(text)));
      assert.deepEqual(await detectFormat(file), { format, compression: 'gzip' });
      const s = await openSource(file);
      const { records, problems } = await readAll(s);
      assert.equal(s.format, format);
      assert.deepEqual(problems, []);
      assert.equal(records.length, n, name);
    }
    // A two-column CSV of W3C-looking text, read as CSV because the caller says so.
    const forced = join(dir, 'forced');
    writeFileSync(forced, '#Fields: x,y\n1,2\n');
    assert.equal((await openSource(forced)).format, 'w3c');
    const s = await openSource(forced, { format: 'csv' });
    assert.equal(s.format, 'csv');
    assert.deepEqual((await readAll(s)).records.map((r) => r.event), [{ '#Fields: x': '1', y: '2' }]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('an over-long line is a problem at its line; the next line still reads', async () => {
  const long = 'x'.repeat(5000);
  const text = `#Fields: cs-host\na.com\n${long}\nb.com\n`;
  const s = readW3cEvents('mem', chunked(text, 100), {}, { maxLineLength: 1000 });
  const { records, problems } = await readAll(s);
  assert.deepEqual(records.map((r) => [r.location.line, r.event['cs-host']]), [[2, 'a.com'], [4, 'b.com']]);
  assert.deepEqual(problems.map((p) => p.location.line), [3]);
  assert.match(problems[0]!.message, /longer than 1000/);
});
