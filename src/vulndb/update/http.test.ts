import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { FeedHttp } from './http.js';

/** Two loopback servers: `a` serves the cases, `b` is "another origin" for redirects. */
const seen: { server: string; path: string; headers: IncomingMessage['headers'] }[] = [];
let a: Server;
let b: Server;
let A = '';
let B = '';
let dir: string;
const agent = new Agent();

function listen(name: string, handler: (path: string, res: import('node:http').ServerResponse) => void): Promise<[Server, string]> {
  const s = createServer((req, res) => {
    seen.push({ server: name, path: req.url ?? '', headers: req.headers });
    handler(req.url ?? '', res);
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r([s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`])));
}

beforeAll(async () => {
  [b, B] = await listen('b', (_p, res) => res.end('{"ok":true}'));
  [a, A] = await listen('a', (p, res) => {
    if (p === '/gz') return res.end(gzipSync('cve,epss\nCVE-1,0.1\n'));
    if (p === '/bad-gz') return res.end('this is not gzip');
    if (p === '/big') return res.end(Buffer.alloc(4096, 'x'));
    if (p === '/bomb') return res.end(gzipSync(Buffer.alloc(1 << 20)));
    if (p === '/away') {
      res.writeHead(302, { location: `${B}/landing` });
      return res.end();
    }
    if (p === '/lines') return res.end('a\r\nb\n\nc');
    if (p === '/teapot') {
      res.writeHead(418);
      return res.end('short and stout');
    }
    res.writeHead(404);
    res.end();
  });
  dir = await mkdtemp(join(tmpdir(), 'vigil-feed-http-'));
});

afterAll(async () => {
  a.closeAllConnections();
  b.closeAllConnections();
  await new Promise((r) => a.close(r));
  await new Promise((r) => b.close(r));
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

const http = () => new FeedHttp({ dispatcher: agent, retries: 0, timeoutMs: 5000 });

describe('FeedHttp', () => {
  it('gunzips while downloading', async () => {
    const r = await http().download(`${A}/gz`, join(dir, 'epss.csv'), { what: 'EPSS', maxBytes: 1 << 20, gunzip: true });
    expect(r.notModified).toBe(false);
    expect(await readFile(join(dir, 'epss.csv'), 'utf8')).toBe('cve,epss\nCVE-1,0.1\n');
  });

  it.each`
    path         | gunzip   | code
    ${'/bad-gz'} | ${true}  | ${'feed-corrupt'}
    ${'/big'}    | ${false} | ${'feed-too-large'}
    ${'/bomb'}   | ${true}  | ${'feed-too-large'}
    ${'/teapot'} | ${false} | ${'feed-http'}
  `('$path → $code, nothing left behind', async ({ path, gunzip, code }) => {
    const dest = join(dir, `out${path.replace('/', '-')}`);
    const err = await http()
      .download(`${A}${path}`, dest, { what: 'test feed', maxBytes: 2048, gunzip })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe(code);
    expect((err as VigilError).kind).toBe('network');
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('a non-retriable status names the URL, the status and the server’s words', async () => {
    const err = (await http()
      .getBuffer(`${A}/teapot`, { what: 'test feed', maxBytes: 1024 })
      .catch((e: unknown) => e)) as VigilError;
    expect(err.message).toBe(`test feed: GET ${A}/teapot answered HTTP 418: short and stout`);
  });

  it('a secret header is not sent to a redirect target on another origin', async () => {
    seen.length = 0;
    const body = await http().getBuffer(`${A}/away`, { what: 'NVD', maxBytes: 1024, secretHeaders: { apiKey: 'k' }, headers: { accept: 'application/json' } });
    expect(JSON.parse(body.toString())).toEqual({ ok: true });
    expect(seen.map((s) => [s.server, s.headers.apikey])).toEqual([
      ['a', 'k'],
      ['b', undefined],
    ]);
    expect(seen[1]!.headers.accept).toBe('application/json');
  });

  it('reads lines, CRLF or LF, last line without a newline', async () => {
    const out: string[] = [];
    for await (const l of http().lines(`${A}/lines`, { what: 'csv', maxBytes: 1024 })) out.push(l);
    expect(out).toEqual(['a', 'b', '', 'c']);
  });
});
