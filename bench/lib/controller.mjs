// Controller benchmark (issue 5): `vigil server` against a local registry holding `tags` tags
// (default 200) over `digests` distinct images (default 50: the four fixtures and variants with
// one small extra layer, bench/lib/controller-images.mjs).
//
//   a. first crawl + scan of every tag until the queue drains, with --scan-workers 1 and 2, each
//      run in a fresh data dir (SQLite) with the full DB installed;
//   b. crawls with nothing changed, after each first scan (the answer of POST …/scan);
//   c. re-match of `inventories` (default 1,000) stored inventories after a DB update: the store
//      of a finished scan is copied, its `images` rows (and their `image_results`) duplicated
//      under synthetic digests, the server restarted, then POST /api/v1/db/update with another
//      DB, alternating two DBs so that every update is a change;
//   d. peak RSS (VmHWM) of every server process, read from /proc just before it is stopped.
//
// The servers and DB builds run from a private copy of bin/ + dist/ taken at the start, so a
// rebuild by someone else during the ~5 minutes does not change the code being measured.
//
// Peer: the offline Trivy (env.md) inventories the same distinct digests one after another from
// the registry, with its layer cache emptied before each image, as the controller has none.
// Trivy cannot match offline, so the ratio compares inventory work only (pull + catalog), while
// the controller's time also includes the crawl, matching, and storing results.
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { trivyPackages } from './compare-packages.mjs';
import { buildLayout, planTags, pushTags } from './controller-images.mjs';
import { median, timeRun } from './measure.mjs';
import { startRegistry } from './registry.mjs';
import { clearLayerCache, makeEmptyJavaDb, trivyArgs } from './trivy-peer.mjs';
import { startServer } from './vigil-server.mjs';

export const CONTROLLER_GOALS = { recrawlMs: 5_000, rematchMs: 10_000, rssMb: 300 };
const PASSWORD = 'bench-admin-password-1';
const now = () => performance.now();

/** Polls the queue until nothing is queued or running; bounded. */
async function drain(server, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { counts } = await server.api('GET', '/api/v1/scans?status=queued&status=running&limit=1');
    if (counts.queued + counts.running === 0) return counts;
    if (Date.now() > end) throw new Error(`the scan queue did not drain within ${timeoutMs / 1000} s: ${JSON.stringify(counts)}`);
    await sleep(100);
  }
}

/**
 * Copies every row of `images` (and of `image_results` where there is one) under synthetic
 * digests until the table holds `total` rows. Columns are read from the table, not assumed.
 */
function fillInventories(dbFile, total) {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    const cols = (t) => db.pragma(`table_info(${t})`).map((c) => c.name).filter((c) => c !== 'digest');
    const copyStmt = (t) => db.prepare(`INSERT INTO ${t} (digest, ${cols(t).join(', ')}) SELECT ?, ${cols(t).join(', ')} FROM ${t} WHERE digest = ?`);
    const copyImage = copyStmt('images');
    const copyResult = copyStmt('image_results');
    const real = db.prepare('SELECT digest FROM images ORDER BY digest').pluck().all();
    if (real.length === 0) throw new Error(`${dbFile}: no stored inventories to copy`);
    let n = real.length;
    db.transaction(() => {
      for (let i = 0; n < total; i++) {
        const from = real[i % real.length];
        const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
        copyImage.run(digest, from);
        copyResult.run(digest, from);
        n++;
      }
    })();
    return { real: real.length, total: db.prepare('SELECT count(*) FROM images').pluck().get(), results: db.prepare('SELECT count(*) FROM image_results').pluck().get() };
  } finally {
    db.close();
  }
}

function storedPackages(dbFile) {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return new Map(db.prepare('SELECT digest, package_count FROM images').raw().all());
  } finally {
    db.close();
  }
}

/**
 * A private copy of the build (bin/, dist/, package.json; node_modules linked): the section runs
 * for minutes, and a `npm run build` by someone else meanwhile must not swap the code under it.
 * Returns the copied CLI and the time of the newest file in dist/ (which build was measured).
 */
async function snapshotBuild(repo, dest) {
  await mkdir(dest, { recursive: true });
  for (const d of ['bin', 'dist']) await cp(path.join(repo, d), path.join(dest, d), { recursive: true });
  await copyFile(path.join(repo, 'package.json'), path.join(dest, 'package.json'));
  await symlink(path.join(repo, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
  let newest = 0;
  for (const f of await readdir(path.join(dest, 'dist'), { recursive: true })) {
    if (f.endsWith('.js')) newest = Math.max(newest, (await stat(path.join(dest, 'dist', f))).mtimeMs);
  }
  return { bin: path.join(dest, 'bin', 'vigil.js'), distBuiltAt: new Date(newest).toISOString() };
}

const stats = (xs) => ({ medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs), samplesMs: xs });

/**
 * @param {{repo: string, tmp: string, env: object, timeFile: string, fixtureOci: string, vulndata: string,
 *          trivy?: string, log: (m: string) => void, cleanups: Array<() => Promise<void>>,
 *          tags?: number, digests?: number, inventories?: number,
 *          scanRuns?: number, recrawlRuns?: number, rematchRuns?: number, profileDir?: string}} o
 */
export async function runControllerBench(o) {
  const cfg = {
    tags: o.tags ?? 200,
    digests: o.digests ?? 50,
    inventories: o.inventories ?? 1000,
    scanRuns: o.scanRuns ?? 1,
    recrawlRuns: o.recrawlRuns ?? 3,
    rematchRuns: o.rematchRuns ?? 3,
    workers: [1, 2],
  };
  if (cfg.digests < 4 || cfg.digests > cfg.tags) throw new Error(`controller bench: digests must be from 4 to the tag count (${cfg.tags}), not ${cfg.digests}`);
  const dir = path.join(o.tmp, 'controller');
  await mkdir(dir, { recursive: true });
  const setupStart = now();
  const { bin, distBuiltAt } = await snapshotBuild(o.repo, path.join(dir, 'build'));

  // ---- two different DBs: all feeds (installed at start), Debian + OSV only (the "update") -----
  const dbA = path.join(dir, 'db-all.db');
  const dbB = path.join(dir, 'db-debian-osv.db');
  o.log('controller: building the two vulnerability DBs ...');
  await timeRun([process.execPath, bin, 'db', 'build', '--out', dbA, o.vulndata], { env: o.env, timeFile: o.timeFile, timeoutMs: 300_000 });
  await timeRun([process.execPath, bin, 'db', 'build', '--out', dbB, path.join(o.vulndata, 'debian'), path.join(o.vulndata, 'osv')], { env: o.env, timeFile: o.timeFile, timeoutMs: 300_000 });

  // ---- registry with `tags` tags over `digests` images -----------------------------------------
  o.log(`controller: OCI layout with ${cfg.digests} images, registry with ${cfg.tags} tags ...`);
  const layout = path.join(dir, 'layout');
  const images = await buildLayout({ fixtureOci: o.fixtureOci, out: layout, variants: cfg.digests - 4 });
  const plan = planTags(images, { tags: cfg.tags, repos: 10 });
  const registry = await startRegistry(path.join(dir, 'registry'));
  o.cleanups.push(registry.stop);
  await pushTags({ layout, host: registry.host, plan, env: o.env });
  const distinct = new Set(plan.map((t) => t.image.digest));
  const setupMs = now() - setupStart;
  o.log(`  ${plan.length} tags, ${distinct.size} distinct digests, ${new Set(plan.map((t) => t.repository)).size} repositories; setup ${(setupMs / 1000).toFixed(1)} s`);

  // If the bench is interrupted, the exit hook stops every server started (also one still
  // starting), and no new one starts after it ran.
  const stops = new Set();
  let interrupted = false;
  o.cleanups.push(async () => {
    interrupted = true;
    await Promise.all([...stops].map((stop) => stop()));
  });
  const serve = async (dataDir, workers, profileName) => {
    if (interrupted) throw new Error('interrupted');
    const nodeArgs = o.profileDir && profileName ? ['--cpu-prof', `--cpu-prof-dir=${path.join(o.profileDir, profileName)}`] : [];
    return startServer({ bin, dataDir, db: path.join(dataDir, 'vigil.db'), workers, env: o.env, password: PASSWORD, nodeArgs, onSpawn: (stop) => stops.add(stop) });
  };
  // Reads the peak before stopping; the log (pino JSON, --log-level warn) should be empty.
  const finish = async (server) => {
    const mem = await server.memory();
    const exit = await server.stop();
    if (exit.code !== 0) o.log(`  warning: server exited with ${exit.code ?? exit.signal}; log tail:\n${server.log().slice(-2000)}`);
    const warnings = server.log().split('\n').filter((l) => /"level":(40|50|60)/.test(l));
    for (const w of warnings.slice(0, 5)) o.log(`  server log: ${w.slice(0, 500)}`);
    return { ...mem, warnings: warnings.length };
  };

  // ---- a + b: first crawl + scan, then unchanged crawls ----------------------------------------
  const scan = {};
  let keptStore;
  for (const workers of cfg.workers) {
    const runs = [];
    for (let r = 0; r < cfg.scanRuns; r++) {
      const dataDir = await mkdtemp(path.join(dir, `data-w${workers}-`));
      await copyFile(dbA, path.join(dataDir, 'vigil.db'));
      const server = await serve(dataDir, workers, r === 0 ? `scan-w${workers}` : undefined);
      let mem;
      const run = { workers };
      try {
        run.idleRssMb = (await server.memory()).rssMb;
        const { id } = await server.api('POST', '/api/v1/registries', { name: 'bench', type: 'docker-v2', url: registry.url, filters: ['*'], scanConcurrency: workers });
        const cpu0 = await server.cpuSeconds();
        const t0 = now();
        const crawl = await server.api('POST', `/api/v1/registries/${id}/scan`);
        run.crawlWallMs = now() - t0;
        const counts = await drain(server, 900_000);
        run.wallMs = now() - t0;
        run.cpuSeconds = (await server.cpuSeconds()) - cpu0;
        run.crawl = crawl;
        run.counts = counts;
        if (crawl.tags !== plan.length || crawl.queued !== distinct.size || crawl.errors.length) {
          throw new Error(`first crawl: expected ${plan.length} tags and ${distinct.size} queued digests, got ${JSON.stringify(crawl)}`);
        }
        if (counts.done !== distinct.size || counts.failed) {
          const failed = await server.api('GET', '/api/v1/scans?status=failed&limit=5');
          throw new Error(`scan: expected ${distinct.size} jobs done, got ${JSON.stringify(counts)}; failures: ${failed.jobs.map((j) => `${j.reference}: ${j.error}`).join('; ')}`);
        }
        run.recrawls = [];
        for (let i = 0; i < cfg.recrawlRuns; i++) {
          const t1 = now();
          const again = await server.api('POST', `/api/v1/registries/${id}/scan`);
          const wallMs = now() - t1;
          if (again.tags !== plan.length || again.queued !== 0 || again.changed !== 0 || again.errors.length) throw new Error(`unchanged re-crawl queued or changed something: ${JSON.stringify(again)}`);
          run.recrawls.push({ wallMs, serverMs: again.ms });
        }
        mem = await finish(server);
      } finally {
        await server.stop();
      }
      run.peakRssMb = mem.hwmMb;
      run.logWarnings = mem.warnings;
      runs.push(run);
      o.log(`  --scan-workers ${workers}, run ${r + 1}/${cfg.scanRuns}: crawl ${run.crawlWallMs.toFixed(0)} ms, crawl + scan ${(run.wallMs / 1000).toFixed(1)} s (${run.cpuSeconds.toFixed(1)} CPU s), re-crawls ${run.recrawls.map((x) => x.wallMs.toFixed(0)).join(', ')} ms, RSS ${run.idleRssMb.toFixed(0)} MB idle, peak ${mem.hwmMb.toFixed(0)} MB`);
      if (workers === cfg.workers.at(-1)) keptStore = dataDir;
      else await rm(dataDir, { recursive: true, force: true });
    }
    scan[workers] = {
      wall: stats(runs.map((x) => x.wallMs)),
      crawlWall: stats(runs.map((x) => x.crawlWallMs)),
      cpuSeconds: median(runs.map((x) => x.cpuSeconds)),
      peakRssMb: Math.max(...runs.map((x) => x.peakRssMb)),
      idleRssMb: median(runs.map((x) => x.idleRssMb)),
      runs,
    };
  }
  const recrawlSamples = Object.values(scan).flatMap((s) => s.runs.flatMap((r) => r.recrawls.map((x) => x.wallMs)));
  const recrawl = { ...stats(recrawlSamples), serverMedianMs: median(Object.values(scan).flatMap((s) => s.runs.flatMap((r) => r.recrawls.map((x) => x.serverMs)))), tags: plan.length };

  // ---- c: re-match of `inventories` stored inventories after a DB update ----------------------
  const vigilPkgs = storedPackages(path.join(keptStore, 'server.db'));
  const filled = fillInventories(path.join(keptStore, 'server.db'), cfg.inventories);
  o.log(`controller: ${filled.total} stored inventories (${filled.real} scanned, the rest copies); re-match after DB update, ${cfg.rematchRuns} run(s) ...`);
  const rematchRuns = [];
  let rematchMem;
  {
    const server = await serve(keptStore, 2, 'rematch');
    try {
      for (let i = 0; i < cfg.rematchRuns; i++) {
        const file = i % 2 === 0 ? dbB : dbA;
        const body = await readFile(file);
        const cpu0 = await server.cpuSeconds();
        const t0 = now();
        const res = await server.api('POST', '/api/v1/db/update', body, { contentType: 'application/octet-stream', timeoutMs: 600_000 });
        const wallMs = now() - t0;
        const cpuSeconds = (await server.cpuSeconds()) - cpu0;
        if (!res.changed || res.rematched !== filled.total) throw new Error(`DB update ${i + 1}: expected a change and ${filled.total} re-matched, got ${JSON.stringify(res)}`);
        const { events } = await server.api('GET', '/api/v1/events?action=db.updated&limit=1');
        const detail = events[0]?.detail ?? {};
        rematchRuns.push({ db: path.basename(file), wallMs, serverMs: res.ms, rematchMs: detail.ms, changedImages: detail.changed, cpuSeconds });
        o.log(`  update ${i + 1} (${path.basename(file)}): ${(wallMs / 1000).toFixed(2)} s (server ${res.ms} ms, re-match ${detail.ms} ms, ${detail.changed} images changed, ${cpuSeconds.toFixed(1)} CPU s)`);
      }
      rematchMem = await finish(server);
    } finally {
      await server.stop();
    }
  }
  const rematch = {
    inventories: filled.total,
    wall: stats(rematchRuns.map((x) => x.wallMs)),
    rematchOnly: stats(rematchRuns.map((x) => x.rematchMs).filter((x) => typeof x === 'number')),
    peakRssMb: rematchMem.hwmMb,
    logWarnings: rematchMem.warnings,
    runs: rematchRuns,
  };

  // ---- the Trivy peer: the same distinct digests, one after another --------------------------
  const trivyCache = path.join(dir, 'trivy-cache');
  await makeEmptyJavaDb(trivyCache);
  const byDigest = new Map(plan.map((t) => [t.image.digest, t]));
  if (o.trivy) o.log(`controller: Trivy (offline, inventory only) on the ${byDigest.size} distinct digests ...`);
  else o.log('controller: no Trivy peer (BENCH_CTL_PEER=0)');
  const trivyRuns = [];
  for (const [digest, t] of o.trivy ? byDigest : []) {
    const ref = `${registry.host}/${t.repository}@${digest}`;
    const args = trivyArgs(trivyCache, { kind: 'registry', trivyRef: ref });
    args.splice(1, 0, '--image-src', 'remote');
    await clearLayerCache(trivyCache);
    const out = path.join(dir, 'trivy-out.json');
    const r = await timeRun([o.trivy, ...args], { env: o.env, stdout: out, timeFile: o.timeFile, timeoutMs: 300_000 });
    r.packages = trivyPackages(JSON.parse(await readFile(out, 'utf8'))).size;
    r.vigilPackages = vigilPkgs.get(digest);
    r.image = t.image.name;
    trivyRuns.push(r);
  }
  const trivy = !o.trivy ? undefined : {
    images: trivyRuns.length,
    wallMs: trivyRuns.reduce((s, x) => s + x.wallMs, 0),
    medianImageMs: median(trivyRuns.map((x) => x.wallMs)),
    peakRssMb: Math.max(...trivyRuns.map((x) => x.rssMb)),
    packages: trivyRuns.reduce((s, x) => s + x.packages, 0),
    vigilPackages: trivyRuns.reduce((s, x) => s + (x.vigilPackages ?? 0), 0),
    runs: trivyRuns.map(({ image, wallMs, rssMb, packages, vigilPackages }) => ({ image, wallMs, rssMb, packages, vigilPackages })),
  };
  if (trivy) o.log(`  ${(trivy.wallMs / 1000).toFixed(1)} s in all (median ${(trivy.medianImageMs / 1000).toFixed(2)} s per image), peak RSS ${trivy.peakRssMb.toFixed(0)} MB`);

  const serverPeak = Math.max(...Object.values(scan).map((s) => s.peakRssMb), rematch.peakRssMb);
  const ratio = trivy ? Object.fromEntries(Object.entries(scan).map(([w, s]) => [w, s.wall.medianMs / trivy.wallMs])) : undefined;
  const goals = [
    { name: `unchanged re-crawl of ${plan.length} tags < ${CONTROLLER_GOALS.recrawlMs / 1000} s`, met: recrawl.maxMs < CONTROLLER_GOALS.recrawlMs, got: `${fmtMs(recrawl.medianMs)} median, ${fmtMs(recrawl.maxMs)} max` },
    { name: `re-match of ${rematch.inventories} inventories < ${CONTROLLER_GOALS.rematchMs / 1000} s`, met: rematch.wall.maxMs < CONTROLLER_GOALS.rematchMs, got: `${fmtMs(rematch.wall.medianMs)} median, ${fmtMs(rematch.wall.maxMs)} max` },
    { name: `server peak RSS < ${CONTROLLER_GOALS.rssMb} MB`, met: serverPeak < CONTROLLER_GOALS.rssMb, got: `${serverPeak.toFixed(0)} MB` },
  ];
  return {
    config: { ...cfg, repositories: 10, distinctDigests: distinct.size, setupSeconds: setupMs / 1000, cpus: os.cpus().length, distBuiltAt },
    scan,
    recrawl,
    rematch,
    trivy,
    ratio,
    serverPeakRssMb: serverPeak,
    goals,
  };
}

function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function formatControllerTable(r) {
  const c = r.config;
  const rows = [['measurement', 'median wall', 'min-max', 'server CPU', 'peak RSS', 'vs Trivy']];
  for (const [w, s] of Object.entries(r.scan)) {
    rows.push([`first crawl + scan, ${c.tags} tags / ${c.distinctDigests} digests, --scan-workers ${w}`, fmtMs(s.wall.medianMs), `${fmtMs(s.wall.minMs)}-${fmtMs(s.wall.maxMs)}`, `${s.cpuSeconds.toFixed(1)} s`, `${s.peakRssMb.toFixed(0)} MB (idle ${s.idleRssMb.toFixed(0)})`, r.ratio ? `${r.ratio[w].toFixed(2)}x` : '']);
  }
  rows.push([`  of which the crawl (--scan-workers 1)`, fmtMs(r.scan[1].crawlWall.medianMs), `${fmtMs(r.scan[1].crawlWall.minMs)}-${fmtMs(r.scan[1].crawlWall.maxMs)}`, '', '', '']);
  rows.push([`unchanged re-crawl, ${r.recrawl.tags} tags (${r.recrawl.samplesMs.length} runs)`, fmtMs(r.recrawl.medianMs), `${fmtMs(r.recrawl.minMs)}-${fmtMs(r.recrawl.maxMs)}`, '', '', '']);
  const cpu = median(r.rematch.runs.map((x) => x.cpuSeconds));
  rows.push([`DB update + re-match of ${r.rematch.inventories} inventories (${r.rematch.runs.length} runs)`, fmtMs(r.rematch.wall.medianMs), `${fmtMs(r.rematch.wall.minMs)}-${fmtMs(r.rematch.wall.maxMs)}`, `${cpu.toFixed(1)} s`, `${r.rematch.peakRssMb.toFixed(0)} MB`, '']);
  if (r.rematch.rematchOnly.samplesMs.length) rows.push([`  of which the re-match (server's db.updated event)`, fmtMs(r.rematch.rematchOnly.medianMs), `${fmtMs(r.rematch.rematchOnly.minMs)}-${fmtMs(r.rematch.rematchOnly.maxMs)}`, '', '', '']);
  if (r.trivy) rows.push([`Trivy, the ${r.trivy.images} digests one by one (inventory only)`, fmtMs(r.trivy.wallMs), `${fmtMs(r.trivy.medianImageMs)} per image`, '', `${r.trivy.peakRssMb.toFixed(0)} MB`, '1.00x']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => row.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  const out = [
    `Controller (vigil server, SQLite, ${c.cpus} CPUs): ${c.tags} tags in ${c.repositories} repositories, ${c.distinctDigests} distinct digests; median of ${c.scanRuns} scan run(s) per worker count; peak RSS = VmHWM of the server process`,
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    r.trivy
      ? `Packages over the ${r.trivy.images} digests: Vigil ${r.trivy.vigilPackages}, Trivy ${r.trivy.packages} (Trivy does not match offline: the ratio is inventory work only)`
      : 'No Trivy peer in this run (BENCH_CTL_PEER=0).',
    '',
    'Goals (issue 5, benchmark)',
    ...r.goals.map((g) => `  ${g.met ? 'met ' : 'MISS'}  ${g.name}: ${g.got}`),
  ];
  return out.join('\n');
}
