/**
 * Registries to scan (NeuVector's model): CRUD over `registries`, credentials sealed with the
 * data dir's key, every change an audit event (never with a secret in it), and "test connection".
 */
import { X509Certificate, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { exchangeCredentials } from '../../image/registry/cloud/index.js';
import { pingRegistry, type PingResult } from '../../image/registry/ping.js';
import { describeError } from '../../core/errors.js';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/auth-service.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { SecretBox } from '../secrets.js';
import type { Database, RegistriesTable, RegistryRow, RegistryType } from '../store/schema.js';
import type { Updateable } from 'kysely';

export const INTERVAL_MIN_MINUTES = 5;
export const INTERVAL_MAX_MINUTES = 7 * 24 * 60;

export type Schedule = { kind: 'manual' } | { kind: 'interval'; minutes: number } | { kind: 'cron'; expression: string };

export interface RegistryInput {
  name: string;
  type: RegistryType;
  url: string;
  username?: string | null;
  password?: string | null;
  filters?: string[];
  schedule?: { kind: 'manual' | 'interval' | 'cron'; minutes?: number; expression?: string };
  rescanAfterDbUpdate?: boolean;
  layeredScan?: boolean;
  repoLimit?: number | null;
  tagLimit?: number | null;
  useProxy?: boolean;
  insecure?: boolean;
  caPem?: string | null;
  scanConcurrency?: number;
}

export interface RegistryView {
  id: string;
  name: string;
  type: RegistryType;
  url: string;
  username: string | null;
  /** The password itself never leaves the server. */
  hasPassword: boolean;
  filters: string[];
  schedule: Schedule;
  rescanAfterDbUpdate: boolean;
  layeredScan: boolean;
  repoLimit: number | null;
  tagLimit: number | null;
  useProxy: boolean;
  insecure: boolean;
  caPem: string | null;
  /** Scans of this registry that may run at once. */
  scanConcurrency: number;
  lastCrawl: { at: string | null; status: string | null; error: string | null };
  createdAt: string;
  updatedAt: string;
}

export type TestResult = PingResult;

export interface RegistryConnection {
  row: RegistryRow;
  /** host[:port], as image references name the registry */
  host: string;
  creds: { username?: string; password?: string };
  transport: { insecure: boolean; plainHttp: boolean; useProxy: boolean; caPems: string[] };
}

/** `org/repo:tag` with `*` wildcards; the tag part is optional (any tag). */
const FILTER_RE = /^[a-z0-9*](?:[a-z0-9._/*-]{0,254})(?::[A-Za-z0-9_*][A-Za-z0-9._*-]{0,127})?$/;

export function checkFilter(f: string): void {
  if (!FILTER_RE.test(f)) {
    throw badRequest(`filter ${JSON.stringify(f)} is not a pattern org/repo[:tag] (lower-case repository, tag of letters, digits, . _ -, and * for any run of characters)`);
  }
}

/** Does `repository:tag` pass one of the filters? `*` matches any run of characters, `/` included. */
export function matchesFilters(filters: readonly string[], repository: string, tag: string): boolean {
  return filters.some((f) => {
    const [repoPat = '', tagPat = '*'] = f.split(':');
    return glob(repoPat).test(repository) && glob(tagPat).test(tag);
  });
}

/** Does some filter's repository part match `repository` (whatever its tag part)? */
export function matchesRepository(filters: readonly string[], repository: string): boolean {
  return filters.some((f) => glob(f.split(':')[0] ?? '').test(repository));
}

function glob(p: string): RegExp {
  return new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&')).join('.*') + '$');
}

const CRON_FIELDS: Array<[string, number, number]> = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];
const NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12, sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** A five-field cron expression (minute hour day-of-month month day-of-week), with lists, ranges, steps and names. */
export function checkCron(expr: string): void {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw badRequest(`schedule: cron expression ${JSON.stringify(expr)} must have 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}`);
  fields.forEach((field, i) => {
    const [label, lo, hi] = CRON_FIELDS[i]!;
    for (const item of field.split(',')) {
      const m = /^(\*|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/i.exec(item);
      const num = (s: string | undefined) => (s === undefined ? lo : /^\d+$/.test(s) ? Number(s) : (NAMES[s.toLowerCase()] ?? NaN));
      const a = m?.[2] === undefined ? lo : num(m[2]);
      const b = m?.[3] === undefined ? a : num(m[3]);
      const step = m?.[4] === undefined ? 1 : Number(m[4]);
      if (!m || !(a >= lo && a <= hi && b >= a && b <= hi && step >= 1)) {
        throw badRequest(`schedule: cron ${label} field ${JSON.stringify(item)} is not valid (${lo}-${hi}, *, lists, ranges, /steps)`);
      }
    }
  });
}

export function checkSchedule(s: NonNullable<RegistryInput['schedule']>): Schedule {
  if (s.kind === 'manual') return { kind: 'manual' };
  if (s.kind === 'interval') {
    const m = s.minutes;
    if (m === undefined || !Number.isInteger(m) || m < INTERVAL_MIN_MINUTES || m > INTERVAL_MAX_MINUTES) {
      throw badRequest(`schedule: an interval is every N minutes with N from ${INTERVAL_MIN_MINUTES} (5 minutes) to ${INTERVAL_MAX_MINUTES} (7 days), not ${m ?? 'missing'}`);
    }
    return { kind: 'interval', minutes: m };
  }
  if (!s.expression) throw badRequest('schedule: kind cron needs an expression');
  checkCron(s.expression);
  return { kind: 'cron', expression: s.expression.trim().split(/\s+/).join(' ') };
}

/** http(s)://host[:port] only: the Distribution API lives at the origin's /v2/. */
export function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badRequest(`url ${JSON.stringify(url)} is not a URL; use https://registry.example.com[:port]`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw badRequest(`url must be http:// or https://, not ${u.protocol}`);
  if (u.username || u.password) throw badRequest('url must not carry credentials; use username and password');
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) throw badRequest(`url must be the registry's origin (${u.origin}), without a path or query`);
  return u.origin;
}

function checkCa(pem: string): void {
  try {
    new X509Certificate(pem);
  } catch {
    throw badRequest('caPem is not a PEM certificate');
  }
}

function checkLimit(what: string, n: number | null | undefined): void {
  if (n !== null && n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 1_000_000)) throw badRequest(`${what} must be from 1 to 1000000, or null for no limit, not ${n}`);
}

export const MAX_SCAN_CONCURRENCY = 16;

function checkConcurrency(n: number | undefined): void {
  if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= MAX_SCAN_CONCURRENCY)) throw badRequest(`scanConcurrency must be from 1 to ${MAX_SCAN_CONCURRENCY}, not ${n}`);
}

const flag = (b: boolean | undefined, dflt = false) => ((b ?? dflt) ? 1 : 0);

export class RegistryService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly box: SecretBox,
    private readonly now: () => Date,
  ) {}

  async list(): Promise<RegistryView[]> {
    return (await this.db.selectFrom('registries').selectAll().orderBy('name').execute()).map(toView);
  }

  async get(id: string): Promise<RegistryView> {
    return toView(await this.row(id));
  }

  private async row(id: string): Promise<RegistryRow> {
    const r = await this.db.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound(`no registry ${id}`);
    return r;
  }

  private async nameFree(name: string, except?: string): Promise<void> {
    let q = this.db.selectFrom('registries').select('id').where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    if (await q.executeTakeFirst()) throw conflict(`a registry named ${name} exists`);
  }

  async create(actor: Principal, o: RegistryInput, ip: string): Promise<RegistryView> {
    const url = checkUrl(o.url);
    const filters = o.filters ?? ['*'];
    filters.forEach(checkFilter);
    const schedule = checkSchedule(o.schedule ?? { kind: 'manual' });
    if (o.caPem) checkCa(o.caPem);
    if (o.password && !o.username) throw badRequest('a password needs a username');
    checkLimit('repoLimit', o.repoLimit);
    checkLimit('tagLimit', o.tagLimit);
    checkConcurrency(o.scanConcurrency);
    await this.nameFree(o.name);
    const id = randomUUID();
    const at = this.now().toISOString();
    const row: RegistryRow = {
      id,
      name: o.name,
      type: o.type,
      url,
      username: o.username || null,
      password_enc: o.password ? this.box.seal(o.password, id) : null,
      filters: JSON.stringify(filters),
      schedule: JSON.stringify(schedule),
      rescan_after_db_update: flag(o.rescanAfterDbUpdate),
      layered_scan: flag(o.layeredScan),
      repo_limit: o.repoLimit ?? null,
      tag_limit: o.tagLimit ?? null,
      use_proxy: flag(o.useProxy),
      insecure: flag(o.insecure),
      ca_pem: o.caPem || null,
      created_at: at,
      updated_at: at,
      last_crawl_at: null,
      last_crawl_status: null,
      last_crawl_error: null,
      scan_concurrency: o.scanConcurrency ?? 2,
    };
    await this.db.insertInto('registries').values(row).execute();
    await this.audit.record({ actor: actor.username, action: 'registry.create', target: id, detail: { name: o.name, type: o.type, url, username: row.username, hasPassword: row.password_enc !== null }, ip });
    return toView(row);
  }

  async update(actor: Principal, id: string, o: Partial<RegistryInput>, ip: string): Promise<RegistryView> {
    const cur = await this.row(id);
    const set: Updateable<RegistriesTable> = {};
    if (o.name !== undefined && o.name !== cur.name) {
      await this.nameFree(o.name, id);
      set.name = o.name;
    }
    if (o.type !== undefined) set.type = o.type;
    if (o.url !== undefined) set.url = checkUrl(o.url);
    if (o.username !== undefined) set.username = o.username || null;
    if (o.password !== undefined) set.password_enc = o.password ? this.box.seal(o.password, id) : null;
    if (o.filters !== undefined) {
      o.filters.forEach(checkFilter);
      set.filters = JSON.stringify(o.filters);
    }
    if (o.schedule !== undefined) set.schedule = JSON.stringify(checkSchedule(o.schedule));
    if (o.rescanAfterDbUpdate !== undefined) set.rescan_after_db_update = flag(o.rescanAfterDbUpdate);
    if (o.layeredScan !== undefined) set.layered_scan = flag(o.layeredScan);
    checkLimit('repoLimit', o.repoLimit);
    checkLimit('tagLimit', o.tagLimit);
    if (o.repoLimit !== undefined) set.repo_limit = o.repoLimit;
    if (o.tagLimit !== undefined) set.tag_limit = o.tagLimit;
    checkConcurrency(o.scanConcurrency);
    if (o.scanConcurrency !== undefined) set.scan_concurrency = o.scanConcurrency;
    if (o.useProxy !== undefined) set.use_proxy = flag(o.useProxy);
    if (o.insecure !== undefined) set.insecure = flag(o.insecure);
    if (o.caPem !== undefined) {
      if (o.caPem) checkCa(o.caPem);
      set.ca_pem = o.caPem || null;
    }
    const next = { ...cur, ...set } as RegistryRow;
    if (next.password_enc && !next.username) throw badRequest('a password needs a username');
    set.updated_at = this.now().toISOString();
    await this.db.updateTable('registries').set(set).where('id', '=', id).execute();
    // Field names only: the audit trail never holds a password, not even encrypted.
    const changed = Object.keys(set).filter((k) => k !== 'updated_at').map((k) => (k === 'password_enc' ? 'password' : k));
    await this.audit.record({ actor: actor.username, action: 'registry.update', target: id, detail: { name: next.name, changed }, ip });
    return toView({ ...next, updated_at: set.updated_at });
  }

  async delete(actor: Principal, id: string, ip: string): Promise<void> {
    const cur = await this.row(id);
    await this.db.deleteFrom('registries').where('id', '=', id).execute();
    await this.audit.record({ actor: actor.username, action: 'registry.delete', target: id, detail: { name: cur.name }, ip });
  }

  /** What a crawl or a scan needs to talk to the registry: the row, the credentials, the TLS and proxy settings. */
  async connection(id: string): Promise<RegistryConnection> {
    return this.connect(await this.row(id));
  }

  /** ECR, GCR and ACR credentials are exchanged for registry credentials here (cached until near expiry). */
  async connect(r: RegistryRow): Promise<RegistryConnection> {
    const password = r.password_enc ? this.box.open(r.password_enc, r.id) : undefined;
    const u = new URL(r.url);
    const transport = { insecure: r.insecure === 1, plainHttp: u.protocol === 'http:', useProxy: r.use_proxy === 1, caPems: r.ca_pem ? [r.ca_pem] : [] };
    const stored = r.username ? { username: r.username, password } : {};
    const creds = await exchangeCredentials(r.type, r.url, stored, { ...transport, now: () => this.now().getTime() });
    return { row: r, host: u.host, creds: { username: creds.username, password: creds.password }, transport };
  }

  /** The registry a reference's host belongs to, when one is configured for it. */
  async forHost(host: string): Promise<RegistryRow | undefined> {
    const rows = await this.db.selectFrom('registries').selectAll().execute();
    return rows.find((r) => new URL(r.url).host === host);
  }

  async markCrawl(id: string, status: 'running' | 'ok' | 'failed', error: string | null): Promise<void> {
    const set = status === 'running' ? { last_crawl_status: status } : { last_crawl_status: status, last_crawl_error: error, last_crawl_at: this.now().toISOString() };
    await this.db.updateTable('registries').set(set).where('id', '=', id).execute();
  }

  async rows(): Promise<RegistryRow[]> {
    return this.db.selectFrom('registries').selectAll().execute();
  }

  /** GET /v2/ (and the first catalog page) with the stored credentials and TLS settings. */
  async test(actor: Principal, id: string, ip: string): Promise<TestResult> {
    const r = await this.row(id);
    let result: TestResult;
    try {
      const c = await this.connect(r);
      result = await pingRegistry(r.url, c.creds, { insecure: r.insecure === 1, caPem: r.ca_pem, useProxy: r.use_proxy === 1, retries: 1, retryBaseMs: 200, timeoutMs: 15_000 });
    } catch (e) {
      // A cloud token exchange that fails is a failed test, not an error of the request.
      result = { ok: false, status: 0, message: describeError(e) };
    }
    await this.audit.record({ actor: actor.username, action: 'registry.test', target: id, detail: { name: r.name, ok: result.ok, status: result.status }, ip });
    return result;
  }
}

function toView(r: RegistryRow): RegistryView {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    url: r.url,
    username: r.username,
    hasPassword: r.password_enc !== null,
    filters: JSON.parse(r.filters) as string[],
    schedule: JSON.parse(r.schedule) as Schedule,
    rescanAfterDbUpdate: r.rescan_after_db_update === 1,
    layeredScan: r.layered_scan === 1,
    repoLimit: r.repo_limit,
    tagLimit: r.tag_limit,
    useProxy: r.use_proxy === 1,
    insecure: r.insecure === 1,
    caPem: r.ca_pem,
    scanConcurrency: r.scan_concurrency,
    lastCrawl: { at: r.last_crawl_at, status: r.last_crawl_status, error: r.last_crawl_error },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
