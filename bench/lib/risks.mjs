// Security Risks benchmark (issue 6, section 7): a generated fleet of 10,000 images, 2,000 nodes,
// 50,000 containers and 200,000 finding rows (50,000 distinct CVEs) written straight into a
// controller store, SQLite file and a throwaway PostgreSQL 15 cluster. Then, through the built
// app (`buildApp` + `inject`, so validation, auth and the JSON answer are included):
//   - the first refresh of every per-CVE row (counts, protection state) from the findings,
//   - filter + sort + first page (50 rows) for a set of typical queries, p50 / p95 per query and
//     over all of them (goal p95 ≤ 150 ms),
//   - the CSV of the whole 50,000-row view, streamed over HTTP by a separate server process, peak
//     RSS compared with a 5,000-row and a 1-row export (flat memory: the three stay close).
//
// Alone: npm run build && BENCH_ONLY=risks node bench/run.mjs   (writes bench/out/risks.json)
// Env: BENCH_RISKS_RUNS (timed runs per query, default 20), BENCH_RISKS_SCALE (1 = the issue's
//      sizes; 0.1 for a quick look), BENCH_PG_BIN (default /usr/lib/postgresql/15/bin).
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { fetch } from 'undici';
import { timeRun } from './measure.mjs';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const dist = (p) => pathToFileURL(path.join(ROOT, 'dist', p)).href;

export const RISKS_GOAL_P95_MS = 150;
const PASSWORD = 'bench-admin-password';

// ---- deterministic data -------------------------------------------------------------------------

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hex64 = (n) => (n.toString(16).padStart(16, '0')).repeat(4);
const digestOf = (i) => `sha256:${hex64(i + 1)}`;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];
const SEV_WEIGHTS = [0.05, 0.2, 0.35, 0.2, 0.1, 0.1];
const OSES = ['debian 12', 'debian 11', 'ubuntu 22.04', 'alpine 3.19', 'alpine 3.18', 'rhel 9'];
const WORDS = ['buffer', 'overflow', 'heap', 'use-after-free', 'injection', 'parser', 'denial', 'service', 'remote', 'attacker', 'crafted', 'request', 'certificate', 'validation', 'memory', 'leak'];

/** The dataset's sizes at scale 1 (the issue's numbers). */
export function sizes(scale = 1) {
  const s = (n) => Math.max(1, Math.round(n * scale));
  return { images: s(10_000), nodes: s(2_000), containers: s(50_000), findings: s(200_000), cves: s(50_000), namespaces: 40, services: s(500), packages: 3_000 };
}

/** Writes the fleet into the store; returns what the queries refer to. */
export async function generate(db, n, log) {
  const r = rng(42);
  const now = new Date().toISOString();
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const sev = () => {
    let x = r();
    for (let i = 0; i < SEV_WEIGHTS.length; i++) if ((x -= SEV_WEIGHTS[i]) < 0) return i;
    return 5;
  };
  let tx;
  const insert = async (table, rows, batch = 400) => {
    for (let i = 0; i < rows.length; i += batch) await tx.insertInto(table).values(rows.slice(i, i + batch)).execute();
  };
  const packages = Array.from({ length: n.packages }, (_, i) => (i === 0 ? 'openssl' : i === 1 ? 'libssl3' : `pkg-${i}`));
  await db.transaction().execute(async (trx) => {
    tx = trx;
    const reg = { id: 'bench-registry', name: 'bench', type: 'docker-v2', url: 'http://127.0.0.1:5000', username: null, password_enc: null, filters: '["*"]', schedule: '{"kind":"manual"}', rescan_after_db_update: 0, layered_scan: 0, repo_limit: null, tag_limit: null, use_proxy: 0, insecure: 1, ca_pem: null, created_at: now, updated_at: now };
    await trx.insertInto('registries').values(reg).execute();
    const imageOs = [];
    const images = [];
    const tags = [];
    for (let i = 0; i < n.images; i++) {
      const os_ = pick(OSES);
      imageOs.push(os_);
      images.push({ digest: digestOf(i), manifest_digest: null, config_digest: digestOf(i + 10_000_000), platform: 'linux/amd64', os: os_, layers: '[]', package_count: 100, inventory_gz: '', scanned_at: now, scan_ms: 100 });
      tags.push({ registry_id: reg.id, repository: `team${i % 50}/app${i}`, tag: 'v1', digest: digestOf(i), first_seen: now, last_seen: now });
    }
    await insert('images', images, 200);
    await insert('registry_tags', tags);
    const groups = new Map();
    groups.set('nodes', { name: 'nodes', namespace: null, policy_mode: 'monitor', comment: null, created_at: now, updated_at: now });
    const nodes = [];
    for (let i = 0; i < n.nodes; i++) nodes.push({ id: `node-${i}`, name: `node-${i}`, os: pick(OSES), kernel: '6.1.0', address: null, platform_id: 'k8s', group_name: 'nodes', state: 'running', labels: '{}', created_at: now, updated_at: now });
    await insert('nodes', nodes);
    await trx.insertInto('platforms').values({ id: 'k8s', name: 'bench-cluster', type: 'kubernetes', version: '1.29.4', created_at: now, updated_at: now }).execute();
    // 80 % of the images run somewhere; the rest are "unaffected".
    const running = Math.floor(n.images * 0.8);
    const containers = [];
    for (let i = 0; i < n.containers; i++) {
      const ns = `ns-${Math.floor(r() * n.namespaces)}`;
      const svc = `svc-${Math.floor(r() * n.services)}`;
      const group = `nv.${svc}.${ns}`;
      if (!groups.has(group)) groups.set(group, { name: group, namespace: ns, policy_mode: pick(['discover', 'monitor', 'protect']), comment: null, created_at: now, updated_at: now });
      const img = Math.floor(r() * running);
      containers.push({ id: hex64(i + 77).slice(0, 64), name: `${svc}-${i}`, namespace: ns, service: svc, group_name: group, image_ref: `team${img % 50}/app${img}:v1`, image_digest: digestOf(img), node_id: `node-${Math.floor(r() * n.nodes)}`, state: 'running', labels: '{}', created_at: now, updated_at: now });
    }
    await insert('groups', [...groups.values()]);
    await insert('containers', containers, 300);
    log(`  ${n.images} images, ${n.nodes} nodes, ${n.containers} containers, ${groups.size} groups`);

    // Per-CVE text and scores (what the vulnerability DB would give), all dirty.
    const vulns = [];
    const cveSev = [];
    for (let c = 0; c < n.cves; c++) {
      const s = sev();
      cveSev.push(s);
      const id = `CVE-${2015 + (c % 12)}-${100000 + c}`;
      const cvss3 = r() < 0.9 ? Math.round((10 - s * 1.6 - r() * 1.5) * 10) / 10 : null;
      const cvss2 = r() < 0.6 ? Math.round((9.5 - s * 1.4 - r() * 1.5) * 10) / 10 : null;
      const words = Array.from({ length: 24 }, () => pick(WORDS)).join(' ');
      const title = `${pick(WORDS)} ${pick(WORDS)} in ${packages[c % packages.length]}`;
      const published = new Date(Date.UTC(2015 + (c % 12), Math.floor(r() * 12), 1 + Math.floor(r() * 28))).toISOString();
      vulns.push({
        vuln_id: id, severity: SEVERITIES[s], severity_rank: 5 - s, cvss2: cvss2 === null ? null : Math.max(0, cvss2), cvss3: cvss3 === null ? null : Math.max(0, cvss3), score: null, published, fixable: 0, kev: r() < 0.02 ? 1 : 0, epss: Math.round(r() * 1e4) / 1e4,
        title, description: `A ${words}.`, link: `https://nvd.nist.gov/vuln/detail/${id}`, aliases: '[]', packages: '[]', search: id.toLowerCase(), images: 0, nodes: 0, containers: 0, platforms: 0, unaffected: 0, protected: 0, unprotected: 0, dirty: 1, meta_built_at: null,
      });
    }
    await insert('risk_vulns', vulns, 200);
    // Findings: every CVE once, then the rest skewed towards the first CVEs (a few are everywhere).
    const findings = [];
    const seen = new Set();
    const add = (kind, asset, c) => {
      const pkgIdx = c % packages.length;
      const key = `${kind}|${asset}|${c}`;
      if (seen.has(key)) return false;
      seen.add(key);
      findings.push({ asset_kind: kind, asset_id: asset, vuln_id: vulns[c].vuln_id, package_name: packages[pkgIdx], package_type: 'deb', installed_version: `1.${c % 17}.0-1`, purl: `pkg:deb/debian/${packages[pkgIdx]}@1.${c % 17}.0-1`, fixed_version: r() < 0.6 ? `1.${c % 17}.1-1` : null, severity_rank: 5 - cveSev[c], score: null, kev: vulns[c].kev, epss: vulns[c].epss });
      return true;
    };
    const nodeShare = Math.round(n.findings * 0.1);
    for (let c = 0; c < n.cves; c++) add(c % 10 === 0 ? 'node' : 'image', c % 10 === 0 ? `node-${c % n.nodes}` : digestOf(c % n.images), c);
    while (findings.length < n.findings) {
      const c = Math.floor(n.cves * r() ** 3);
      if (findings.length < n.findings - nodeShare) add('image', digestOf(Math.floor(r() * n.images)), c);
      else add('node', `node-${Math.floor(r() * n.nodes)}`, c);
    }
    await insert('findings', findings, 300);
    log(`  ${findings.length} finding rows over ${n.cves} CVEs`);
  });
  return { namespace: 'ns-3', node: 'node-17', image: 'team3/app1203:v1', service: 'svc-42' };
}

/** Typical Security Risks requests: filter + sort + first page of 50. */
export function queries(ref) {
  return [
    ['default (severity desc)', ''],
    ['severity critical,high; sort score', 'severity=critical,high&sort=score'],
    ['text "openssl"', 'q=openssl'],
    ['text "use-after-free heap"', 'q=use-after-free%20heap'],
    ['fixable; sort containers', 'fixable=true&sort=containers'],
    ['namespace equals', `namespace=${ref.namespace}`],
    ['namespace contains', 'namespace=ns-1&namespaceMatch=contains'],
    ['service equals; sort unprotected', `service=${ref.service}&sort=unprotected`],
    ['node equals', `node=${ref.node}`],
    ['image equals', `image=${encodeURIComponent(ref.image)}`],
    ['image contains', 'image=app12&imageMatch=contains'],
    ['base OS + severity', 'os=alpine%203.19&severity=high'],
    ['view containers; sort published asc', 'view=containers&sort=published&order=asc'],
    ['view infrastructure', 'view=infrastructure'],
    ['score ≥ 7, published ≥ 2024; sort epss', 'scoreMin=7&publishedAfter=2024-01-01&sort=epss'],
    ['KEV, not accepted', 'kev=true&accepted=false'],
    ['sort id asc, page 100', 'sort=id&order=asc&offset=5000'],
  ];
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export async function openApp(database, dataDir) {
  const { openStore } = await import(dist('server/store/open-store.js'));
  const { buildApp } = await import(dist('server/app.js'));
  const store = await openStore({ dataDir, database });
  const app = await buildApp({ store, vulnDbPath: path.join(dataDir, 'no-vulnerability-db.db') });
  return { store, app };
}

export async function login(app) {
  const existing = await app.store.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirst();
  if (!existing) await app.auth.bootstrapAdmin(PASSWORD);
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } });
  if (r.statusCode !== 200) throw new Error(`login: ${r.statusCode} ${r.body}`);
  return r.json().token;
}

/** One backend: generate and refresh here, then measure the queries in a fresh server process. */
async function benchBackend(name, database, dataDir, o) {
  o.log(`risks/${name}: generating`);
  const t0 = performance.now();
  const { store, app } = await openApp(database, dataDir);
  const ref = await generate(store.db, o.sizes, o.log);
  const genMs = performance.now() - t0;
  await login(app);
  const t1 = performance.now();
  await app.risks.refresh();
  const refreshMs = performance.now() - t1;
  o.log(`risks/${name}: generated in ${(genMs / 1000).toFixed(1)} s, first refresh of every CVE row ${(refreshMs / 1000).toFixed(1)} s`);
  // A bulk load is not how a store fills up: give both databases the state a running server
  // reaches on its own soon after. PostgreSQL: planner statistics, as autovacuum would gather.
  // SQLite: the 200 MB write-ahead log of the one generating transaction checkpointed into the
  // file (the server's autocheckpoint does this as it goes), and statistics for its planner.
  const { sql } = await import('kysely');
  if (name === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
  await sql`analyze`.execute(store.db);
  await app.close();
  await store.close();
  // The queries run in a process of their own, as a server would: not in one that just held the
  // generated rows in its heap.
  o.log(`risks/${name}: ${o.runs} runs of each query`);
  const out = path.join(o.tmp, `queries-${name}.json`);
  await timeRun([process.execPath, fileURLToPath(import.meta.url), '--queries', database, dataDir, String(o.runs), JSON.stringify(ref)], { stdout: out, timeFile: path.join(o.tmp, 'queries.time'), timeoutMs: 900_000, env: process.env });
  const { readFile } = await import('node:fs/promises');
  const measured = JSON.parse((await readFile(out, 'utf8')).trim());
  return { backend: name, generateMs: genMs, refreshMs, ...measured };
}

/** Child mode: one server app on the store, every query `runs` times after two warm-ups. */
async function queriesChild(database, dataDir, runs, ref) {
  const { store, app } = await openApp(database, dataDir);
  const token = await login(app);
  const headers = { authorization: `Bearer ${token}` };
  const results = [];
  const all = [];
  for (const [label, qs] of queries(ref)) {
    const url = `/api/v1/risks/vulnerabilities?limit=50${qs ? `&${qs}` : ''}`;
    let total = 0;
    for (let i = 0; i < 2; i++) {
      const r = await app.inject({ method: 'GET', url, headers });
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
      total = r.json().total;
    }
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      const r = await app.inject({ method: 'GET', url, headers });
      ms.push(performance.now() - s);
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode}`);
    }
    all.push(...ms);
    results.push({ query: label, url, rows: total, p50: pct(ms, 50), p95: pct(ms, 95), max: Math.max(...ms) });
  }
  const cves = (await app.inject({ method: 'GET', url: '/api/v1/risks/vulnerabilities?limit=1', headers })).json().total;
  await app.close();
  await store.close();
  process.stdout.write(JSON.stringify({ cves, queries: results, p50: pct(all, 50), p95: pct(all, 95) }) + '\n');
}

// ---- CSV export in its own process (peak RSS from GNU time) -----------------------------------------

/** Child mode: serve the store, stream one CSV export over HTTP, count its lines. */
async function exportChild(database, dataDir, query) {
  const { store, app } = await openApp(database, dataDir);
  const token = await login(app);
  await app.risks.refresh();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address();
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/risks/vulnerabilities.csv?${query}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
  let lines = 0;
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  }
  const ms = performance.now() - started;
  await app.close();
  await store.close();
  process.stdout.write(JSON.stringify({ rows: lines - 1, bytes, ms }) + '\n');
}

async function exportRun(database, dataDir, query, tmp) {
  const out = path.join(tmp, `export-${Date.now()}.json`);
  const { rssMb } = await timeRun([process.execPath, fileURLToPath(import.meta.url), '--export', database, dataDir, query], { stdout: out, timeFile: path.join(tmp, 'export.time'), timeoutMs: 600_000, env: process.env });
  const { readFile } = await import('node:fs/promises');
  return { ...JSON.parse((await readFile(out, 'utf8')).trim()), rssMb };
}

// ---- a throwaway PostgreSQL 15 (as test/helpers/postgres.ts, without vitest) -----------------------

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres() {
  const bin = process.env.BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';
  if (!existsSync(path.join(bin, 'initdb'))) throw new Error(`PostgreSQL 15 is not installed (no ${bin}/initdb)`);
  const root = process.getuid?.() === 0;
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const pgRun = (cmd, args, timeout) =>
    root ? run('su', ['postgres', '-c', [path.join(bin, cmd), ...args].map(q).join(' ')], { timeout }) : run(path.join(bin, cmd), args, { timeout });
  // Not under the bench's own temp dir: that one is 0700 and the postgres user must reach this one.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-pg-'));
  if (root) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), -1);
  const data = path.join(dir, 'data');
  await pgRun('initdb', ['-D', data, '-U', 'vigil', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], 60_000);
  const port = await freePort();
  const opts = `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB -c work_mem=16MB`;
  await pgRun('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start'], 90_000);
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: `postgres://vigil@127.0.0.1:${port}/postgres` });
  await client.connect();
  await client.query('CREATE DATABASE risks_bench');
  await client.end();
  return {
    url: `postgres://vigil@127.0.0.1:${port}/risks_bench`,
    stop: async () => {
      await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * @param {{tmp: string, log: (m: string) => void, runs?: number, scale?: number}} o
 */
export async function runRisksBench(o) {
  const runs = o.runs ?? 20;
  const n = sizes(o.scale ?? 1);
  const dataDir = mkdtempSync(path.join(o.tmp, 'risks-'));
  const sqliteUrl = `sqlite:${path.join(dataDir, 'risks.db')}`;
  const backends = [];
  backends.push(await benchBackend('sqlite', sqliteUrl, dataDir, { sizes: n, runs, log: o.log, tmp: o.tmp }));
  let exports = [];
  for (const [label, query] of [
    ['all rows', 'sort=id&order=asc'],
    ['≈10,000 rows', 'severity=high'],
    ['1 row (baseline)', 'q=CVE-2015-100000&sort=id'],
  ]) {
    o.log(`risks/sqlite: CSV export, ${label}`);
    exports.push({ label, query, ...(await exportRun(sqliteUrl, dataDir, query, o.tmp)) });
  }
  const pg = await startPostgres();
  try {
    backends.push(await benchBackend('postgres', pg.url, dataDir, { sizes: n, runs, log: o.log, tmp: o.tmp }));
    o.log('risks/postgres: CSV export, all rows');
    exports.push({ label: 'all rows (PostgreSQL)', query: 'sort=id&order=asc', ...(await exportRun(pg.url, dataDir, 'sort=id&order=asc', o.tmp)) });
  } finally {
    await pg.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
  return { sizes: n, runs, cpus: os.cpus().length, goalP95Ms: RISKS_GOAL_P95_MS, backends, exports };
}

export function formatRisksTable(r) {
  const lines = [];
  lines.push(`Security Risks: ${r.sizes.images} images, ${r.sizes.nodes} nodes, ${r.sizes.containers} containers, ${r.sizes.findings} finding rows, ${r.backends[0].cves} CVE rows; ${r.runs} runs per query`);
  lines.push('| query | SQLite p50 | SQLite p95 | PostgreSQL p50 | PostgreSQL p95 | rows |');
  lines.push('|---|---|---|---|---|---|');
  const [s, p] = r.backends;
  s.queries.forEach((q, i) => {
    const pq = p?.queries[i];
    lines.push(`| ${q.query} | ${q.p50.toFixed(1)} ms | ${q.p95.toFixed(1)} ms | ${pq ? `${pq.p50.toFixed(1)} ms` : '–'} | ${pq ? `${pq.p95.toFixed(1)} ms` : '–'} | ${q.rows} |`);
  });
  lines.push(`| **all queries** | ${s.p50.toFixed(1)} ms | **${s.p95.toFixed(1)} ms** | ${p ? `${p.p50.toFixed(1)} ms` : '–'} | **${p ? `${p.p95.toFixed(1)} ms` : '–'}** | goal p95 ≤ ${r.goalP95Ms} ms |`);
  lines.push('');
  lines.push(`first refresh of every CVE row: SQLite ${(s.refreshMs / 1000).toFixed(1)} s${p ? `, PostgreSQL ${(p.refreshMs / 1000).toFixed(1)} s` : ''}`);
  lines.push('');
  lines.push('| CSV export | rows | size | wall | server peak RSS |');
  lines.push('|---|---|---|---|---|');
  for (const e of r.exports) lines.push(`| ${e.label} | ${e.rows} | ${(e.bytes / 1e6).toFixed(1)} MB | ${(e.ms / 1000).toFixed(2)} s | ${e.rssMb.toFixed(0)} MB |`);
  return lines.join('\n');
}

if (process.argv[2] === '--export') {
  await exportChild(process.argv[3], process.argv[4], process.argv[5]);
  process.exit(0);
}
if (process.argv[2] === '--queries') {
  await queriesChild(process.argv[3], process.argv[4], Number(process.argv[5]), JSON.parse(process.argv[6]));
  process.exit(0);
}
