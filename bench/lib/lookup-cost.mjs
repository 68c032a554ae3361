#!/usr/bin/env node
// Lookup cost of the matcher (issue 3, section 6): how long `match()` takes per package and per
// DB lookup, in-process, without image reading, process start-up or report rendering.
//
//   node bench/lib/lookup-cost.mjs --db FILE [--image REF] [--iterations N] [--synthetic N] [--json]
//
// 1. The inventory of a real image (default: the `app` fixture from the OCI layout), read once
//    through the engine API (dist/engine/scan.js), then `match(inventory, db)` timed N times
//    (default 50). Each `match()` call starts with an empty per-call cache (`cachedDb` in
//    src/match/index.ts), so every iteration pays for its SQLite lookups again.
// 2. A synthetic inventory (default 5,000 packages) of deb/npm/pypi/go names taken from the DB
//    itself (read-only, better-sqlite3), half at the version a range fixes (not affected), half
//    at a version below every range (affected): the worst case, since every name has advisories.
//
// The DB reader is wrapped to count `affected()` and `vulnerability()` calls and the time spent
// inside them, so the split between SQLite (+ row decoding) and version evaluation is measured.
// Needs `npm run build` (loads dist/). Prints a table, or JSON with --json (bench/run.mjs).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = process.env.VIGIL_SHARED ?? path.resolve(ROOT, '../shared');
const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);

let match, buildReport, getReporter, MAX_MS;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The reader with a call counter and the time spent inside each lookup method. */
const METHODS = ['affected', 'vulnerability', 'kev', 'epss'];
function counting(reader) {
  const c = {};
  const reset = () => {
    for (const m of METHODS) c[m] = { calls: 0, ms: 0 };
    c.rows = 0;
  };
  reset();
  const wrapped = { ...reader };
  for (const m of METHODS) {
    wrapped[m] = (...a) => {
      const t = now();
      const r = reader[m](...a);
      c[m].ms += now() - t;
      c[m].calls++;
      if (m === 'affected') c.rows += r.length;
      return r;
    };
  }
  const snapshot = () => JSON.parse(JSON.stringify(c));
  return { reader: wrapped, counters: c, reset, snapshot };
}

/** Times `match()` over `inventory` up to `iterations` times (and at most MAX_MS), after one warm-up. */
function series(label, inventory, db, iterations, { report = false } = {}) {
  const w = counting(db);
  const warm = match(inventory, w.reader); // warm-up: JIT, SQLite page cache
  const perCall = w.snapshot();
  const matchMs = [];
  const dbMs = [];
  const methodMs = Object.fromEntries(METHODS.map((m) => [m, []]));
  const start = now();
  for (let i = 0; i < iterations && (i < 3 || now() - start < MAX_MS); i++) {
    w.reset();
    const t = now();
    match(inventory, w.reader);
    matchMs.push(now() - t);
    let sum = 0;
    for (const m of METHODS) {
      methodMs[m].push(w.counters[m].ms);
      sum += w.counters[m].ms;
    }
    dbMs.push(sum);
  }
  const r = {
    label,
    packages: inventory.packages.length,
    findings: warm.findings.length,
    iterations: matchMs.length,
    affectedRows: perCall.rows,
    lookups: Object.fromEntries(METHODS.map((m) => [m, perCall[m].calls])),
    medianMatchMs: median(matchMs),
    medianDbMs: median(dbMs),
    // µs per call of each reader method (median over iterations of time / calls)
    usPerCall: Object.fromEntries(METHODS.map((m) => [m, perCall[m].calls ? (1000 * median(methodMs[m])) / perCall[m].calls : 0])),
  };
  const lookups = METHODS.reduce((a, m) => a + perCall[m].calls, 0);
  r.lookups.total = lookups;
  r.usPerPackage = (1000 * r.medianMatchMs) / r.packages;
  r.usPerLookup = lookups ? (1000 * r.medianDbMs) / lookups : 0;
  r.dbShare = r.medianDbMs / r.medianMatchMs;
  if (report) {
    // What the CLI does after match(): the report (KEV/EPSS lookups) and the JSON text.
    return getReporter('json').then((reporter) => {
      const ms = [];
      for (let i = 0; i < Math.min(iterations, 20); i++) {
        const t = now();
        const rep = buildReport(inventory, warm, db.info(), { dbStale: false });
        reporter.render(rep, { color: false, toolVersion: 'bench', layers: false });
        ms.push(now() - t);
      }
      r.medianReportMs = median(ms);
      return r;
    });
  }
  return Promise.resolve(r);
}

/** ~n packages of mixed deb/npm/pypi/go names drawn from the DB's own affected rows. */
function syntheticInventory(dbPath, n) {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const sq = new Database(dbPath, { readonly: true, fileMustExist: true });
  let rows;
  try {
    // One row per (namespace, package): the first range blob, for a version that a range fixes.
    rows = sq
      .prepare(
        `SELECT CASE WHEN n.value LIKE 'debian:%' THEN 'debian' ELSE n.value END AS eco, a.package AS name, min(b.value) AS ranges
         FROM affected a JOIN strings n ON n.id = a.namespace JOIN blobs b ON b.id = a.ranges
         WHERE n.value LIKE 'debian:%' OR n.value IN ('npm', 'pypi', 'go')
         GROUP BY eco, a.package ORDER BY eco, a.package`,
      )
      .all();
  } finally {
    sq.close();
  }
  const byEco = new Map();
  for (const r of rows) {
    if (!byEco.has(r.eco)) byEco.set(r.eco, []);
    byEco.get(r.eco).push(r);
  }
  // Target shares of a typical mixed image; an ecosystem with too few names is padded by repeating
  // its names at other versions (a repeated name is a cache hit in match(), not a new lookup).
  const shares = { debian: 0.4, npm: 0.25, pypi: 0.15, go: 0.2 };
  const low = { debian: '0.1-1', npm: '0.0.1', pypi: '0.0.1', go: '0.0.1' };
  const type = { debian: 'deb', npm: 'npm', pypi: 'pypi', go: 'golang' };
  const purlType = { debian: 'deb', npm: 'npm', pypi: 'pypi', go: 'golang' };
  const packages = [];
  const distinct = {};
  for (const [eco, share] of Object.entries(shares)) {
    const names = byEco.get(eco) ?? [];
    distinct[eco] = names.length;
    const want = Math.round(n * share);
    for (let i = 0; i < want && names.length; i++) {
      const row = names[i % names.length];
      let fixed;
      try {
        fixed = JSON.parse(row.ranges).r?.flatMap((x) => x.events ?? []).find((e) => e.fixed)?.fixed;
      } catch {
        fixed = undefined;
      }
      const round = Math.floor(i / names.length);
      const version = i % 2 === 0 && fixed ? fixed : round === 0 ? low[eco] : `${low[eco].replace(/^0\./, `0.${round}.`)}`;
      const name = row.name;
      const p = { name, version, type: type[eco], purl: `pkg:${purlType[eco]}/${encodeURIComponent(name)}@${encodeURIComponent(version)}`, locations: [`/synthetic/${eco}/${i}`] };
      if (eco === 'debian') Object.assign(p, { sourceName: name, sourceVersion: version, arch: 'amd64' });
      packages.push(p);
    }
  }
  const inventory = {
    artifact: { type: 'image', name: 'synthetic', os: { family: 'debian', version: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' } },
    packages,
    warnings: [],
  };
  return { inventory, distinct };
}

/** The human-readable table (also used by bench/run.mjs). */
export function formatTable(results) {
  const rows = [['series', 'pkgs', 'findings', 'lookups a/v/k/e', 'iters', 'match', 'in DB', 'µs/pkg', 'µs/lookup', 'µs affected()', 'µs vulnerability()']];
  for (const r of results) {
    const l = r.lookups;
    rows.push([r.label, String(r.packages), String(r.findings), `${l.affected}/${l.vulnerability}/${l.kev}/${l.epss}`, String(r.iterations), `${r.medianMatchMs.toFixed(1)} ms`, `${(100 * r.dbShare).toFixed(0)} %`, r.usPerPackage.toFixed(1), r.usPerLookup.toFixed(1), r.usPerCall.affected.toFixed(1), r.usPerCall.vulnerability.toFixed(1)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      db: { type: 'string' },
      image: { type: 'string', default: `oci:${path.join(SHARED, 'fixtures/images/oci')}:app` },
      iterations: { type: 'string', default: '50' },
      synthetic: { type: 'string', default: '5000' },
      'max-seconds': { type: 'string', default: '4' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!args.db) {
    console.error('usage: node bench/lib/lookup-cost.mjs --db FILE [--image REF] [--iterations N] [--synthetic N] [--json]');
    process.exit(2);
  }
  const ITERATIONS = Math.min(Math.max(Number(args.iterations) || 50, 1), 500);
  const SYNTHETIC = Math.min(Math.max(Number(args.synthetic) || 0, 0), 100_000);
  // Bound each series by time as well, so a slow machine never blows the bench's budget.
  MAX_MS = Number(args['max-seconds']) * 1000;

  const { openVulnDb } = await dist('vulndb/sqlite/reader.js');
  ({ match, buildReport } = await dist('match/index.js'));
  const { openImage } = await dist('image/index.js');
  const { scanImage } = await dist('engine/scan.js');
  ({ getReporter } = await dist('report/index.js'));

  const db = openVulnDb(args.db, { maxAgeDays: Infinity });
  try {
    const t = now();
    const img = await openImage(args.image, {});
    let inventory;
    try {
      inventory = await scanImage(img, {});
    } finally {
      await img.close();
    }
    const inventoryMs = now() - t;
    const results = [await series(`${args.image.replace(/^.*:/, '')} (image inventory)`, inventory, db, ITERATIONS, { report: true })];
    results[0].inventoryMs = inventoryMs;
    let synthetic;
    if (SYNTHETIC > 0) {
      synthetic = syntheticInventory(args.db, SYNTHETIC);
      const byType = new Map();
      for (const p of synthetic.inventory.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
      const mix = [...byType].map(([k, v]) => `${k} ${v}`).join(', ');
      // Two sizes show how the cost scales: a tenth of the packages, then all of them.
      const tenth = { ...synthetic.inventory, packages: synthetic.inventory.packages.filter((_, i) => i % 10 === 0) };
      results.push(await series(`synthetic ${tenth.packages.length} (every 10th)`, tenth, db, ITERATIONS));
      results.push(await series(`synthetic ${synthetic.inventory.packages.length} (${mix})`, synthetic.inventory, db, Math.min(ITERATIONS, 10)));
      results.at(-1).distinctNames = synthetic.distinct;
    }
    if (args.json) {
      console.log(JSON.stringify({ db: args.db, image: args.image, results }, null, 2));
    } else {
      console.log(`inventory of ${args.image}: ${inventoryMs.toFixed(0)} ms (once)`);
      console.log(formatTable(results));
      if (results[0].medianReportMs !== undefined) console.log(`report + JSON render (${results[0].label}): ${results[0].medianReportMs.toFixed(1)} ms`);
    }
  } finally {
    db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
