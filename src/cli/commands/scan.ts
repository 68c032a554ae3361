import { access, writeFile } from 'node:fs/promises';
import type { IgnoreEntry, PolicyOptions, VexDocument } from '../../policy/index.js';
import { VigilError } from '../../core/errors.js';
import type { Inventory } from '../../core/types.js';
import { parsePlatform } from '../../image/manifest.js';
import type { ImageOptions } from '../../image/types.js';
import { reportFromInventory, SEVERITIES, type ScanReport, type Severity } from '../../report/types.js';
import { EXIT } from '../errors.js';
import { makeProgress } from '../progress.js';
import { vigilVersion } from '../version.js';

export interface CommonOptions {
  format: string;
  output?: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  failOn?: string;
  layers?: boolean;
  platform?: string;
  quiet?: boolean;
  insecureRegistry?: boolean;
  username?: string;
  passwordStdin?: boolean;
  caFile?: string[];
  timeout?: string;
  skipDirs?: string[];
  vex?: string[];
  ignoreFile?: string;
  db?: string;
  dbMaxAge?: string;
  debug?: boolean;
}

export function parseSeverities(list: string | undefined, flag: string): Severity[] | undefined {
  if (!list) return undefined;
  const out: Severity[] = [];
  for (const s of list.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)) {
    if (!(SEVERITIES as readonly string[]).includes(s)) {
      throw new VigilError('bad-option', `${flag}: unknown severity ${JSON.stringify(s)} (valid: ${SEVERITIES.join(', ')})`, { kind: 'usage' });
    }
    out.push(s as Severity);
  }
  return out;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new VigilError('bad-option', '--password-stdin needs the password on standard input', { kind: 'usage' });
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function imageOptions(o: CommonOptions): Promise<ImageOptions> {
  const opts: ImageOptions = {};
  if (o.platform !== undefined) {
    // Checked here for every source: a docker-archive ignores the platform, but a typo must not pass silently.
    parsePlatform(o.platform);
    opts.platform = o.platform;
  }
  if (o.insecureRegistry) opts.insecure = true;
  if (o.caFile?.length) opts.caFiles = o.caFile;
  if (o.timeout !== undefined) {
    const s = Number(o.timeout);
    if (!Number.isFinite(s) || s <= 0) throw new VigilError('bad-option', `--timeout must be a positive number of seconds, got ${JSON.stringify(o.timeout)}`, { kind: 'usage' });
    opts.timeoutMs = s * 1000;
  }
  const username = o.username ?? process.env.VIGIL_REGISTRY_USERNAME;
  let password = process.env.VIGIL_REGISTRY_PASSWORD;
  if (o.passwordStdin) password = await readStdin();
  if (username) {
    opts.username = username;
    if (password === undefined) throw new VigilError('bad-option', '--username needs --password-stdin (or VIGIL_REGISTRY_PASSWORD)', { kind: 'usage' });
    opts.password = password;
  }
  return opts;
}

export type Target = { kind: 'image'; ref: string } | { kind: 'rootfs'; dir: string } | { kind: 'host'; root: string } | { kind: 'sbom'; file: string };

/** Reads the target into an inventory: the one job every scan and sbom command shares. */
export async function inventoryOf(target: Target, o: CommonOptions): Promise<Inventory> {
  if (target.kind === 'sbom') {
    const { readSbom } = await import('../../sbom/index.js');
    return readSbom(target.file);
  }
  const progress = makeProgress(!o.quiet);
  try {
    const { scanImage, scanDirectory } = await import('../../engine/scan.js');
    const scanOpts = progress.onProgress ? { onProgress: progress.onProgress } : {};
    if (target.kind === 'image') {
      const { openImage } = await import('../../image/index.js');
      const img = await openImage(target.ref, await imageOptions(o));
      try {
        return await scanImage(img, scanOpts);
      } finally {
        await img.close();
      }
    }
    const dirOpts = o.skipDirs?.length ? { ...scanOpts, skipDirs: o.skipDirs } : scanOpts;
    return target.kind === 'rootfs' ? await scanDirectory(target.dir, 'rootfs', dirOpts) : await scanDirectory(target.root, 'host', dirOpts);
  } finally {
    progress.done();
  }
}

interface OutputPlan {
  reporter: import('../../report/types.js').Reporter;
  severities: Severity[] | undefined;
  failOn: Severity | undefined;
  vex: VexDocument[];
  ignores: IgnoreEntry[];
}

/** `--ignore-file`, else `.vigilignore.yaml` in the working directory when there is one. */
async function loadIgnores(o: CommonOptions): Promise<IgnoreEntry[]> {
  const { DEFAULT_IGNORE_FILE, loadIgnoreFile } = await import('../../policy/index.js');
  if (o.ignoreFile) return loadIgnoreFile(o.ignoreFile);
  try {
    await access(DEFAULT_IGNORE_FILE);
  } catch {
    return [];
  }
  return loadIgnoreFile(DEFAULT_IGNORE_FILE);
}

/** Checks the output options before any work is done, so a typo fails fast. */
export async function planOutput(o: CommonOptions): Promise<OutputPlan> {
  const { getReporter } = await import('../../report/index.js');
  const reporter = await getReporter(o.format);
  const severities = parseSeverities(o.severity, '--severity');
  const failOn = parseSeverities(o.failOn, '--fail-on');
  if (failOn && failOn.length !== 1) throw new VigilError('bad-option', '--fail-on takes one severity', { kind: 'usage' });
  // Policy files are read before the scan, so a broken one fails in milliseconds.
  const { loadVex } = await import('../../policy/index.js'); // YAML and VEX parsing only when used
  const vex = await Promise.all((o.vex ?? []).map((f) => loadVex(f)));
  const ignores = await loadIgnores(o);
  return { reporter, severities, failOn: failOn?.[0], vex, ignores };
}

/** Renders and writes a report; returns the exit code. */
export async function emit(report: ScanReport, o: CommonOptions, plan: OutputPlan): Promise<number> {
  const { reporter, severities, failOn } = plan;
  const { applyPolicy, failOn: policyFailOn } = await import('../../policy/index.js');
  const policy: PolicyOptions = { vex: plan.vex, ignores: plan.ignores, ignoreUnfixed: !!o.ignoreUnfixed };
  if (severities) policy.severities = severities;
  report = applyPolicy(report, policy);
  const color = !o.output && !!process.stdout.isTTY && !process.env.NO_COLOR;
  const text = reporter.render(report, { color, toolVersion: vigilVersion(), layers: !!o.layers });
  if (o.output) {
    try {
      await writeFile(o.output, text);
    } catch (e) {
      throw new VigilError('unwritable', `cannot write ${o.output} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { kind: 'usage', cause: e });
    }
  } else {
    await new Promise<void>((resolve, reject) => process.stdout.write(text.endsWith('\n') ? text : text + '\n', (e) => (e ? reject(e) : resolve())));
  }
  if (failOn && policyFailOn(report, failOn)) return EXIT.failOn;
  return EXIT.ok;
}

/** Opens the vulnerability DB before any image is read: a missing DB fails fast (exit 2). */
async function openDb(o: CommonOptions): Promise<import('../../vulndb/types.js').VulnDbReader & { staleWarning(): string | undefined }> {
  const { openVulnDb } = await import('../../vulndb/sqlite/reader.js');
  const { defaultDbPath } = await import('../../vulndb/paths.js');
  let maxAgeDays: number | undefined;
  if (o.dbMaxAge !== undefined) {
    maxAgeDays = Number(o.dbMaxAge);
    if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0) throw new VigilError('bad-option', `--db-max-age must be a positive number of days, got ${JSON.stringify(o.dbMaxAge)}`, { kind: 'usage' });
  }
  return openVulnDb(defaultDbPath(o.db), maxAgeDays === undefined ? {} : { maxAgeDays });
}

/** `vigil scan …`: inventory, then matching against the DB. `vigil sbom` passes `match: false`. */
export async function runScan(target: Target, o: CommonOptions, opts: { match?: boolean } = {}): Promise<number> {
  const plan = await planOutput(o);
  if (opts.match === false) return emit(reportFromInventory(await inventoryOf(target, o)), o, plan);
  const db = await openDb(o);
  try {
    const inv = await inventoryOf(target, o);
    const { match, buildReport } = await import('../../match/index.js');
    const stale = db.staleWarning();
    const report = buildReport(inv, match(inv, db), db.info(), { dbStale: stale ?? false });
    return await emit(report, o, plan);
  } finally {
    db.close();
  }
}
