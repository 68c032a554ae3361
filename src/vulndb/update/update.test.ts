/**
 * `vigil db update` against a loopback mirror that serves ../shared/vulndata in the mirror layout
 * (feeds.ts). Nothing is copied into the repository: the OSV all.zip and modified_id.csv, the
 * gzipped EPSS file, the Alpine secdb JSON and the NVD API pages are made from the vulndata files
 * when asked for.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../cli/main.js';
import { VigilError } from '../../core/errors.js';
import { openVulnDb } from '../sqlite/reader.js';
import { describeUpdate, updateVulnDb, type UpdateOptions } from './update.js';

const VULNDATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/vulndata');
const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'Maven', 'crates.io'];

// ---------------------------------------------------------------------------------------------
// A minimal zip writer (stored entries): enough for OSV's flat all.zip, and no test dependency.
function zip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// ---------------------------------------------------------------------------------------------
interface Logged {
  path: string;
  query: URLSearchParams;
  status: number;
  headers: IncomingMessage['headers'];
}

/** Scripted failures: the next `times` requests to `path` get `status` (and Retry-After). */
interface Fault {
  /** 0: never answer (the client's timeout must fire). */
  status: number;
  times: number;
  retryAfter?: string;
}

interface NvdCve {
  id: string;
  lastModified: string;
}

class Mirror {
  server!: Server;
  base = '';
  log: Logged[] = [];
  faults = new Map<string, Fault[]>();
  /** Extra or changed OSV records, per ecosystem, on top of vulndata. */
  overrides = new Map<string, Map<string, Record<string, unknown>>>();
  /** Extra raw entries in an ecosystem's all.zip (hostile names). */
  zipExtras = new Map<string, { name: string; data: Buffer }[]>();
  /** Serve EPSS only as plain CSV (a mirror that keeps it uncompressed). */
  plainEpss = false;
  private osvCache = new Map<string, Map<string, Buffer>>();
  private nvd: { cve: NvdCve & Record<string, unknown> }[] = [];

  async start(): Promise<void> {
    const page = JSON.parse(readFileSync(join(VULNDATA, 'nvd/full-page.json'), 'utf8')) as { vulnerabilities: { cve: NvdCve & Record<string, unknown> }[] };
    this.nvd = [...page.vulnerabilities];
    for (const f of readdirSync(join(VULNDATA, 'nvd/cve')).sort()) {
      this.nvd.push({ cve: JSON.parse(readFileSync(join(VULNDATA, 'nvd/cve', f), 'utf8')) as NvdCve & Record<string, unknown> });
    }
    this.server = createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (e) {
        res.statusCode = 500;
        res.end(String(e));
      }
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  count(pred: (l: Logged) => boolean): number {
    return this.log.filter(pred).length;
  }

  /** The records of one ecosystem as served: vulndata files, then overrides. */
  private records(eco: string): Map<string, Buffer> {
    let m = this.osvCache.get(eco);
    if (!m) {
      m = new Map();
      const dir = join(VULNDATA, 'osv', eco);
      for (const f of readdirSync(dir).sort()) if (f.endsWith('.json')) m.set(f.slice(0, -5), readFileSync(join(dir, f)));
      this.osvCache.set(eco, m);
    }
    const out = new Map(m);
    for (const [id, rec] of this.overrides.get(eco) ?? []) out.set(id, Buffer.from(JSON.stringify(rec, null, 2)));
    return out;
  }

  private modifiedCsv(eco: string): string {
    const rows: [string, string][] = [];
    for (const [id, body] of this.records(eco)) rows.push([(JSON.parse(body.toString('utf8')) as { modified: string }).modified, id]);
    rows.sort((a, b) => Date.parse(b[0]) - Date.parse(a[0]) || b[1].localeCompare(a[1]));
    return rows.map(([t, id]) => `${t},${id}\n`).join('');
  }

  private static debianJson(): Buffer {
    // The tracker JSON is one object keyed by source package; the two vulndata files share none.
    const a = JSON.parse(readFileSync(join(VULNDATA, 'debian/tracker-sample.json'), 'utf8')) as Record<string, unknown>;
    const b = JSON.parse(readFileSync(join(VULNDATA, 'debian/bookworm-derived.json'), 'utf8')) as Record<string, unknown>;
    return Buffer.from(JSON.stringify({ ...a, ...b }));
  }

  private nvdPage(q: URLSearchParams): Buffer | undefined {
    const start = q.get('lastModStartDate');
    const end = q.get('lastModEndDate');
    let list = this.nvd;
    if (start || end) {
      if (!start || !end) return undefined;
      const s = Date.parse(start);
      const e = Date.parse(end);
      // The API refuses windows over 120 days; so does this mirror.
      if (Number.isNaN(s) || Number.isNaN(e) || e < s || e - s > 120 * 86_400_000) return undefined;
      list = list.filter((v) => {
        const t = Date.parse(`${v.cve.lastModified}Z`);
        return t >= s && t <= e;
      });
    }
    const per = Number(q.get('resultsPerPage') ?? 2000);
    const from = Number(q.get('startIndex') ?? 0);
    const slice = list.slice(from, from + per);
    return Buffer.from(
      JSON.stringify({ resultsPerPage: slice.length, startIndex: from, totalResults: list.length, format: 'NVD_CVE', version: '2.0', timestamp: new Date().toISOString(), vulnerabilities: slice }),
    );
  }

  private body(path: string, q: URLSearchParams): { body: Buffer; conditional: boolean } | undefined {
    let m: RegExpExecArray | null;
    if ((m = /^\/osv\/([^/]+)\/all\.zip$/.exec(path))) {
      const eco = decodeURIComponent(m[1]!);
      if (!ECOSYSTEMS.includes(eco)) return undefined;
      const entries = [...this.records(eco)].map(([id, data]) => ({ name: `${id}.json`, data }));
      return { body: zip([...entries, ...(this.zipExtras.get(eco) ?? [])]), conditional: true };
    }
    if ((m = /^\/osv\/([^/]+)\/modified_id\.csv$/.exec(path))) {
      const eco = decodeURIComponent(m[1]!);
      if (!ECOSYSTEMS.includes(eco)) return undefined;
      return { body: Buffer.from(this.modifiedCsv(eco)), conditional: false };
    }
    if ((m = /^\/osv\/([^/]+)\/([^/]+)\.json$/.exec(path))) {
      const eco = decodeURIComponent(m[1]!);
      if (!ECOSYSTEMS.includes(eco)) return undefined;
      const rec = this.records(eco).get(decodeURIComponent(m[2]!));
      return rec ? { body: rec, conditional: false } : undefined;
    }
    if (path === '/debian/json') return { body: Mirror.debianJson(), conditional: true };
    if ((m = /^\/alpine\/(v3\.15)\/(main|community)\.json$/.exec(path))) {
      // Upstream secdb serves the same document as JSON and YAML; vulndata keeps the YAML.
      const doc: unknown = parseYaml(readFileSync(join(VULNDATA, 'alpine', m[1]!, `${m[2]!}.yaml`), 'utf8'));
      return { body: Buffer.from(JSON.stringify(doc)), conditional: true };
    }
    if (path === '/nvd/cves/2.0') {
      const page = this.nvdPage(q);
      return page ? { body: page, conditional: false } : undefined;
    }
    if (path === '/kev/known_exploited_vulnerabilities.json') return { body: readFileSync(join(VULNDATA, 'kev/known_exploited_vulnerabilities.json')), conditional: true };
    if (path === '/epss/epss_scores-current.csv' && this.plainEpss) return { body: readFileSync(join(VULNDATA, 'epss/example-1.csv')), conditional: true };
    if (path === '/epss/epss_scores-current.csv.gz' && !this.plainEpss) return { body: gzipSync(readFileSync(join(VULNDATA, 'epss/example-1.csv'))), conditional: true };
    return undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.base);
    const entry: Logged = { path: url.pathname, query: url.searchParams, status: 0, headers: req.headers };
    this.log.push(entry);
    const send = (status: number, body?: Buffer, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    const fault = this.faults.get(url.pathname)?.find((f) => f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.status === 0) return;
      return send(fault.status, Buffer.from(`scripted ${fault.status}`), fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    const found = this.body(url.pathname, url.searchParams);
    if (!found) return send(404, Buffer.from('not found'));
    if (found.conditional) {
      const etag = `"${createHash('sha256').update(found.body).digest('hex').slice(0, 32)}"`;
      if (req.headers['if-none-match'] === etag) return send(304, undefined, { etag });
      return send(200, found.body, { etag, 'content-length': String(found.body.length) });
    }
    send(200, found.body, { 'content-length': String(found.body.length) });
  }
}

// ---------------------------------------------------------------------------------------------
const mirror = new Mirror();
// A plain agent: the loopback mirror must not go through a proxy the environment may set.
const agent = new Agent();
let work: string;

beforeAll(async () => {
  await mirror.start();
  work = await mkdtemp(join(tmpdir(), 'vigil-db-update-'));
});

afterAll(async () => {
  await mirror.stop();
  await agent.close();
  await rm(work, { recursive: true, force: true });
});

function options(name: string, extra: Partial<UpdateOptions> = {}): UpdateOptions {
  return {
    db: join(work, name, 'vigil.db'),
    cacheDir: join(work, name, 'cache'),
    mirror: mirror.base,
    osvEcosystems: ECOSYSTEMS,
    alpineReleases: ['v3.15'],
    nvdDelayMs: 0,
    nvdResultsPerPage: 20,
    http: { retryBaseMs: 10, timeoutMs: 10_000, dispatcher: agent },
    env: {},
    ...extra,
  };
}

/** What `vigil db info` shows: records per source, through the DB reader (verified). */
function dbSources(db: string): Record<string, number> {
  const r = openVulnDb(db, { verify: true, maxAgeDays: Infinity });
  try {
    return Object.fromEntries(r.info().sources.map((s) => [s.name, s.records]));
  } finally {
    r.close();
  }
}

function vulnerabilityTitle(db: string, id: string): string | undefined {
  const r = openVulnDb(db, { maxAgeDays: Infinity });
  try {
    return r.vulnerability(id)?.title;
  } finally {
    r.close();
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('vigil db update from a mirror', () => {
  const o = () => options('main');

  it('a first update downloads every feed and builds a DB with every source', async () => {
    mirror.log = [];
    const r = await updateVulnDb(o());
    expect(r.feeds.map((f) => [f.feed, f.mode])).toEqual([
      ['osv', 'full'],
      ['debian', 'full'],
      ['alpine', 'full'],
      ['nvd', 'full'],
      ['kev', 'full'],
      ['epss', 'full'],
    ]);
    const sources = dbSources(r.db);
    // One source per feed (OSV splits by who publishes: GHSA, Go, PyPA, RustSec).
    for (const name of ['ghsa', 'go', 'pypa', 'rustsec', 'debian', 'alpine', 'nvd', 'kev', 'epss']) expect(sources[name], name).toBeGreaterThan(0);
    expect(sources.kev).toBe(1404);
    expect(r.build.rejectedFiles).toEqual([]);
    // 53 NVD CVEs at 20 per page: three pages, no window on the first download.
    const nvd = mirror.log.filter((l) => l.path === '/nvd/cves/2.0');
    expect(nvd.map((l) => l.query.get('startIndex'))).toEqual(['0', '20', '40']);
    expect(nvd.every((l) => !l.query.has('lastModStartDate'))).toBe(true);
    expect(existsSync(`${r.db}.state.json`)).toBe(true);
    expect(describeUpdate(r).join('\n')).toMatch(/^ {2}osv +full +npm full \(39 records\)/m);
  });

  it('a second update asks only for what changed: newer OSV records, conditional requests answered 304', async () => {
    const before = vulnerabilityTitle(join(work, 'main', 'vigil.db'), 'GHSA-93q8-gq69-wqmw');
    expect(before).toBeDefined();
    // A record modified upstream since, and a new one.
    const rec = JSON.parse(readFileSync(join(VULNDATA, 'osv/npm/GHSA-93q8-gq69-wqmw.json'), 'utf8')) as Record<string, unknown>;
    const later = new Date(Date.now() - 60_000).toISOString();
    mirror.overrides.set('npm', new Map([['GHSA-93q8-gq69-wqmw', { ...rec, modified: later, summary: 'changed upstream' }]]));
    const added = { ...rec, id: 'GHSA-zzzz-zzzz-zzzz', aliases: [], modified: later, summary: 'new upstream' };
    mirror.overrides.get('npm')!.set('GHSA-zzzz-zzzz-zzzz', added);
    mirror.log = [];
    const r = await updateVulnDb(o());
    expect(r.feeds.every((f) => f.mode === 'incremental')).toBe(true);
    expect(mirror.count((l) => l.path.endsWith('/all.zip'))).toBe(0);
    const records = mirror.log.filter((l) => /^\/osv\/[^/]+\/[^/]+\.json$/.test(l.path)).map((l) => l.path).sort();
    expect(records).toEqual(['/osv/npm/GHSA-93q8-gq69-wqmw.json', '/osv/npm/GHSA-zzzz-zzzz-zzzz.json']);
    expect(mirror.count((l) => l.path.endsWith('/modified_id.csv'))).toBe(ECOSYSTEMS.length);
    // Whole-file feeds: one conditional request each, all 304.
    const files = mirror.log.filter((l) => /^\/(debian|alpine|kev|epss)\//.test(l.path));
    expect(files).toHaveLength(5);
    expect(files.every((l) => l.status === 304 && typeof l.headers['if-none-match'] === 'string')).toBe(true);
    // NVD: one window since the last update, nothing modified in it.
    const nvd = mirror.log.filter((l) => l.path === '/nvd/cves/2.0');
    expect(nvd).toHaveLength(1);
    expect(nvd[0]!.query.has('lastModStartDate')).toBe(true);
    expect(vulnerabilityTitle(r.db, 'GHSA-93q8-gq69-wqmw')).toBe('changed upstream');
    expect(vulnerabilityTitle(r.db, 'GHSA-zzzz-zzzz-zzzz')).toBe('new upstream');
    expect(mirror.log.length).toBe(records.length + ECOSYSTEMS.length + 5 + 1);
    mirror.overrides.clear();
  });

  it('a missing feed (404) fails the update with its URL and status, and leaves the DB and its state as they were', async () => {
    const db = join(work, 'main', 'vigil.db');
    const before = sha(db);
    const state = await readFile(`${db}.state.json`, 'utf8');
    const failing = await updateVulnDb({ ...o(), alpineReleases: ['v3.15', 'v3.99'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failing).toBeInstanceOf(VigilError);
    const v = failing as VigilError;
    expect(v.kind).toBe('network');
    expect(v.code).toBe('feed-http');
    expect(v.message).toContain(`${mirror.base}/alpine/v3.99/main.json`);
    expect(v.message).toContain('HTTP 404');
    expect(sha(db)).toBe(before);
    expect(await readFile(`${db}.state.json`, 'utf8')).toBe(state);
  });
});

describe('retries', () => {
  it('a 500, then a 429 with Retry-After, then success', async () => {
    mirror.log = [];
    const path = '/kev/known_exploited_vulnerabilities.json';
    mirror.faults.set(path, [
      { status: 500, times: 1 },
      { status: 429, times: 1, retryAfter: '1' },
    ]);
    const started = Date.now();
    const r = await updateVulnDb(options('retry', { sources: ['kev'] }));
    const ms = Date.now() - started;
    mirror.faults.clear();
    expect(mirror.log.filter((l) => l.path === path).map((l) => l.status)).toEqual([500, 429, 200]);
    expect(ms).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    expect(dbSources(r.db).kev).toBe(1404);
  });

  it('a server that never answers times out and is asked again', async () => {
    mirror.log = [];
    const path = '/kev/known_exploited_vulnerabilities.json';
    mirror.faults.set(path, [{ status: 0, times: 1 }]);
    const r = await updateVulnDb(options('hang', { sources: ['kev'], http: { timeoutMs: 300, retryBaseMs: 5, dispatcher: agent } })).finally(() => mirror.faults.clear());
    expect(mirror.count((l) => l.path === path)).toBe(2);
    expect(dbSources(r.db).kev).toBe(1404);
  });

  it('gives up after the configured retries with the last status', async () => {
    const path = '/kev/known_exploited_vulnerabilities.json';
    mirror.faults.set(path, [{ status: 503, times: 10 }]);
    const err = await updateVulnDb(options('giveup', { sources: ['kev'], http: { retries: 2, retryBaseMs: 5, dispatcher: agent } })).catch((e: unknown) => e);
    mirror.faults.clear();
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).message).toMatch(/known_exploited_vulnerabilities\.json answered HTTP 503/);
    expect(existsSync(join(work, 'giveup', 'vigil.db'))).toBe(false);
  });
});

describe('NVD', () => {
  it('pages through every 120-day window since the last update, with the API key header', async () => {
    const o = options('nvd', { sources: ['nvd'], nvdResultsPerPage: 5, nvdApiKey: 'test-key' });
    // First update as if run on 2023-01-01: the next one must cover 2023-01-01 → now.
    await updateVulnDb({ ...o, now: () => new Date('2023-01-01T00:00:00Z') });
    mirror.log = [];
    const now = new Date('2026-11-28T00:00:00Z');
    const r = await updateVulnDb({ ...o, now: () => now });
    expect(r.feeds[0]!.mode).toBe('incremental');
    const reqs = mirror.log.filter((l) => l.path === '/nvd/cves/2.0');
    expect(reqs.every((l) => l.status === 200 && l.headers.apikey === 'test-key')).toBe(true);
    const windows = [...new Set(reqs.map((l) => `${l.query.get('lastModStartDate')}|${l.query.get('lastModEndDate')}`))].map((w) => w.split('|').map((t) => Date.parse(t)));
    // Contiguous windows, none over 120 days, from the last update to now.
    expect(windows[0]![0]).toBe(Date.parse('2023-01-01T00:00:00Z'));
    expect(windows.at(-1)![1]).toBe(now.getTime());
    for (let i = 0; i < windows.length; i++) {
      expect(windows[i]![1]! - windows[i]![0]!).toBeLessThanOrEqual(120 * 86_400_000);
      if (i) expect(windows[i]![0]).toBe(windows[i - 1]![1]);
    }
    expect(windows.length).toBe(Math.ceil((now.getTime() - Date.parse('2023-01-01T00:00:00Z')) / (120 * 86_400_000)));
    // Some window holds more than one page (the 38 CVEs of full-page.json share a day).
    expect(reqs.some((l) => Number(l.query.get('startIndex')) > 0)).toBe(true);
    expect(dbSources(r.db).nvd).toBe(53);
    expect(r.feeds[0]!.summary).toMatch(/^53 CVEs modified since 2023-01-01/);
  });
});

describe('mirror and cache hygiene', () => {
  it('data cached from another origin is not reused as incremental', async () => {
    const o = options('origin', { sources: ['kev'] });
    await updateVulnDb(o);
    const other = `${mirror.base}/`; // the same server under a different spelling is normalised…
    const again = await updateVulnDb({ ...o, mirror: other });
    expect(again.feeds[0]!.mode).toBe('incremental');
    // …but another base URL is another origin: a full download.
    const moved = await updateVulnDb({ ...o, mirror: `http://localhost:${new URL(mirror.base).port}` });
    expect(moved.feeds[0]!.mode).toBe('full');
  });

  it('VIGIL_DB_MIRROR is used when --mirror is not given; a bad mirror URL is a usage error', async () => {
    const o = options('env', { sources: ['epss'] });
    delete o.mirror;
    const r = await updateVulnDb({ ...o, env: { VIGIL_DB_MIRROR: mirror.base } });
    expect(r.origin).toBe(mirror.base);
    expect(dbSources(r.db).epss).toBeGreaterThan(0);
    // A mirror with the EPSS CSV uncompressed: the .gz answers 404, the .csv is used.
    mirror.plainEpss = true;
    mirror.log = [];
    const plain = await updateVulnDb({ ...o, db: join(work, 'env', 'plain.db'), cacheDir: join(work, 'env', 'plain-cache'), mirror: mirror.base }).finally(() => (mirror.plainEpss = false));
    expect(mirror.log.map((l) => [l.path, l.status])).toEqual([
      ['/epss/epss_scores-current.csv.gz', 404],
      ['/epss/epss_scores-current.csv', 200],
    ]);
    expect(dbSources(plain.db).epss).toBe(dbSources(r.db).epss);
    const err = await updateVulnDb({ ...o, mirror: 'ftp://example.invalid/' }).catch((e: unknown) => e);
    expect((err as VigilError).kind).toBe('usage');
  });
});

describe('OSV', () => {
  it('an all.zip with a path that climbs out is refused as a whole', async () => {
    mirror.zipExtras.set('npm', [{ name: '../escaped.json', data: Buffer.from('{}') }]);
    const o = options('zip-evil', { sources: ['osv'], osvEcosystems: ['npm'] });
    const err = await updateVulnDb(o)
      .finally(() => mirror.zipExtras.clear())
      .catch((e: unknown) => e);
    expect((err as VigilError).code).toBe('feed-corrupt');
    expect((err as VigilError).message).toContain('OSV npm all.zip');
    expect(existsSync(join(o.cacheDir!, 'osv', 'escaped.json'))).toBe(false);
    expect(existsSync(o.db)).toBe(false);
  });

  it('entries of all.zip that are not <id>.json are skipped', async () => {
    mirror.zipExtras.set('npm', [
      { name: 'nested/GHSA-xxxx-xxxx-xxxx.json', data: Buffer.from('{}') },
      { name: 'README.txt', data: Buffer.from('hello') },
    ]);
    const logs: string[] = [];
    const o = options('zip', { sources: ['osv'], osvEcosystems: ['npm'], log: (m) => logs.push(m) });
    const r = await updateVulnDb(o).finally(() => mirror.zipExtras.clear());
    const dir = join(o.cacheDir!, 'osv', 'npm');
    expect(readdirSync(dir).sort()).toEqual(readdirSync(join(VULNDATA, 'osv/npm')).sort());
    expect(logs.some((l) => l.includes('2 entries that are not <id>.json skipped'))).toBe(true);
    expect(dbSources(r.db).ghsa).toBeGreaterThan(0);
  });

  it('too many changes since the last update: all.zip again instead of record by record', async () => {
    const o = options('many', { sources: ['osv'], osvEcosystems: ['npm'], limits: { osvIncrementalMax: 1 } });
    await updateVulnDb(o);
    const rec = JSON.parse(readFileSync(join(VULNDATA, 'osv/npm/GHSA-93q8-gq69-wqmw.json'), 'utf8')) as Record<string, unknown>;
    const later = new Date(Date.now() - 1000).toISOString();
    mirror.overrides.set('npm', new Map([
      ['GHSA-93q8-gq69-wqmw', { ...rec, modified: later }],
      ['GHSA-yyyy-yyyy-yyyy', { ...rec, id: 'GHSA-yyyy-yyyy-yyyy', modified: later }],
    ]));
    mirror.log = [];
    const r = await updateVulnDb(o).finally(() => mirror.overrides.clear());
    expect(mirror.log.map((l) => l.path)).toEqual(['/osv/npm/modified_id.csv', '/osv/npm/modified_id.csv', '/osv/npm/all.zip']);
    expect(r.feeds[0]!.summary).toBe('npm full (40 records)');
  });
});

describe('vigil db update (CLI)', () => {
  async function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return { code: await main(args), out: out.join(''), err: err.join('') };
    } finally {
      o.mockRestore();
      e.mockRestore();
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }

  it('updates from VIGIL_DB_MIRROR into --db, caching under $VIGIL_HOME, then db info shows the sources', async () => {
    const home = join(work, 'cli-home');
    const db = join(work, 'cli', 'vigil.db');
    const r = await run(['db', 'update', '--db', db, '--sources', 'kev,epss,debian'], { VIGIL_HOME: home, VIGIL_DB_MIRROR: mirror.base });
    expect(r.err).not.toMatch(/vigil: \S+: .*error/i);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`updated ${db} from ${mirror.base}`);
    expect(existsSync(join(home, 'cache', 'feeds', 'kev', 'known_exploited_vulnerabilities.json'))).toBe(true);
    const info = await run(['db', 'info', '--db', db, '--format', 'json'], {});
    expect(info.code).toBe(0);
    const names = (JSON.parse(info.out) as { sources: { name: string; records: number }[] }).sources.map((x) => x.name).sort();
    expect(names).toEqual(['debian', 'epss', 'kev']);
  });

  it('a feed the mirror does not have: exit 2, one line with the URL and the status', async () => {
    const r = await run(['db', 'update', '--db', join(work, 'cli404', 'vigil.db'), '--mirror', mirror.base, '--sources', 'alpine'], { VIGIL_HOME: join(work, 'cli404-home') });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^vigil: feed-http: Alpine secdb v3\\.\\d+/main: GET ${mirror.base.replace(/\./g, '\\.')}/alpine/v3\\.\\d+/main\\.json answered HTTP 404`, 'm'));
    expect(existsSync(join(work, 'cli404', 'vigil.db'))).toBe(false);
  });

  it('an unknown --sources name is a usage error', async () => {
    const r = await run(['db', 'update', '--db', join(work, 'cliusage', 'vigil.db'), '--sources', 'osv,ghsa'], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('vigil: bad-option: --sources: unknown feed ghsa');
  });
});
