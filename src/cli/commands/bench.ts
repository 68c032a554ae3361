/**
 * `vigil bench …`: compliance benchmarks. Each target is one entry in BENCH_TARGETS; a new
 * target (kubernetes, container) is one more entry. The engine (src/compliance/) never knows
 * the command line.
 */
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { VigilError } from '../../core/errors.js';
import type { ComplianceReport, ContainerInfo } from '../../compliance/types.js';
import { EXIT } from '../errors.js';
import { vigilVersion } from '../version.js';

export interface BenchOptions {
  format: string;
  output?: string;
  check?: string;
  skip?: string;
  profile?: string;
  failOn?: string;
  quiet?: boolean;
  debug?: boolean;
  allowCommand?: string[];
  root?: string;
  dockerHost?: string;
  inspect?: string;
  container?: string;
  timeout?: string;
}

const FORMATS = ['table', 'json', 'csv', 'junit', 'sarif'];

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function common(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--check <list>', 'only these checks: ids or sections, comma-separated (2.1,2.2 or 5.*)')
    .option('--skip <list>', 'leave these checks out (ids or sections, e.g. 5.*)')
    .option('--profile <level>', 'level1 (Level 1 checks only) or level2 (Level 1 and 2); default: every check')
    .option('--fail-on <level>', 'exit 1 when a result is at this level or worse: warn or error')
    .option('-q, --quiet', 'no progress display')
    .option('--debug', 'print stack traces of errors');
}

function hostOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'the host root to check (e.g. a host mounted at /host)', '/')
    .option('--allow-command <cmd>', 'let a check run this command against the root (repeatable; e.g. auditctl)', collect);
}

async function checkRoot(root: string): Promise<string> {
  const abs = path.resolve(root);
  const st = await stat(abs).catch(() => undefined);
  if (!st?.isDirectory()) throw new VigilError('bad-root', `--root ${root}: no such directory`, { kind: 'usage' });
  return abs;
}

function failOnLevel(v: string | undefined): 'WARN' | 'ERROR' | undefined {
  if (v === undefined) return undefined;
  const l = v.toUpperCase();
  if (l !== 'WARN' && l !== 'ERROR') throw new VigilError('bad-option', `--fail-on for bench takes warn or error, got ${JSON.stringify(v)}`, { kind: 'usage' });
  return l;
}

/** Checks the output options before any work, so a typo fails fast. */
async function plan(o: BenchOptions) {
  const { getComplianceReporter } = await import('../../compliance/report/index.js');
  return { reporter: getComplianceReporter(o.format), failOn: failOnLevel(o.failOn) };
}

async function emit(report: ComplianceReport, o: BenchOptions, p: Awaited<ReturnType<typeof plan>>): Promise<number> {
  const color = !o.output && !!process.stdout.isTTY && !process.env.NO_COLOR;
  const text = p.reporter.render(report, { color, toolVersion: vigilVersion() });
  if (o.output) {
    try {
      await writeFile(o.output, text);
    } catch (e) {
      throw new VigilError('unwritable', `cannot write ${o.output} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { kind: 'usage', cause: e });
    }
  } else {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
  }
  const hit = p.failOn === 'ERROR' ? report.summary.ERROR > 0 : p.failOn === 'WARN' ? report.summary.WARN + report.summary.ERROR > 0 : false;
  return hit ? EXIT.failOn : EXIT.ok;
}

/**
 * Containers for the 4.x/5.x checks: `--inspect FILE`, `--docker-host`, else the default
 * socket when `--root /` has one. A malformed inspect file or an unreachable implicit socket
 * makes the container checks ERROR; the host checks still run.
 */
async function containersFor(o: BenchOptions, root: string): Promise<{ containers?: ContainerInfo[]; containersError?: string }> {
  const c = await import('../../compliance/containers/index.js');
  if (o.inspect) {
    try {
      return { containers: await c.loadInspectFile(o.inspect) };
    } catch (e) {
      const msg = (e as Error).message;
      if (msg.startsWith('cannot read inspect file')) throw e; // the user's own path: usage error
      return { containersError: msg };
    }
  }
  if (o.dockerHost) return { containers: await c.listContainers({ dockerHost: o.dockerHost }) };
  if (root !== '/') return {};
  const ep = c.resolveDockerHost(undefined);
  if (ep.kind === 'unix' && !(await stat(ep.socketPath).catch(() => undefined))) return {};
  try {
    return { containers: await c.listContainers({}) };
  } catch (e) {
    return { containersError: `cannot list containers from ${ep.display}: ${(e as Error).message}` };
  }
}

type Action = (args: string[], o: BenchOptions) => Promise<ComplianceReport>;

interface BenchTarget {
  name: string;
  description: string;
  args?: string[];
  options?: (cmd: Command) => Command;
  action: Action;
}

/**
 * `vigil bench kubernetes`: the distribution (kubeadm, k3s, RKE2) and role are detected from the
 * root; a worker skips the control-plane sections. The logic lives in src/compliance/kubernetes/.
 */
async function kubernetesBench(o: BenchOptions & { benchmark?: string; role?: string }): Promise<ComplianceReport> {
  const root = await checkRoot(o.root ?? '/');
  const { runKubernetesBench } = await import('../../compliance/kubernetes/run-kube-bench.js');
  return (await runKubernetesBench({ ...o, root, allowCommands: o.allowCommand ?? [] })).report;
}

async function dockerBench(o: BenchOptions, scope: 'all' | 'host'): Promise<ComplianceReport> {
  const root = await checkRoot(o.root ?? '/');
  const { loadBenchmark, selectChecks, runBenchmark } = await import('../../compliance/index.js');
  const bench = await loadBenchmark('cis-docker-1.6.0');
  let checks = selectChecks(bench.checks, o);
  if (scope === 'host') checks = checks.filter((c) => c.type === 'host' || c.type === 'daemon');
  const cont = scope === 'all' ? await containersFor(o, root) : {};
  return runBenchmark(bench, { root, allowCommands: o.allowCommand ?? [], ...cont }, { checks, targetType: 'host', targetName: root });
}

/**
 * `vigil bench container`: the CIS Docker container-runtime checks (type `container`, the 5.x
 * section) for the named containers, or every running one (`--all`: stopped ones too). The
 * containers come from the Engine API or an inspect file; the checks are the engine's own.
 */
async function containerBench(ids: string[], o: BenchOptions & { all?: boolean }): Promise<ComplianceReport> {
  if (o.inspect && o.dockerHost) throw new VigilError('bad-option', 'give --docker-host or --inspect, not both', { kind: 'usage' });
  const root = await checkRoot(o.root ?? '/');
  const { loadBenchmark, selectChecks, runBenchmark } = await import('../../compliance/index.js');
  const c = await import('../../compliance/containers/index.js');
  const bench = await loadBenchmark('cis-docker-1.6.0');
  const checks = selectChecks(bench.checks, o).filter((ch) => ch.type === 'container');
  let containers: ContainerInfo[] | undefined;
  let containersError: string | undefined;
  let source: string;
  if (o.inspect) {
    source = o.inspect;
    try {
      containers = await c.loadInspectFile(o.inspect);
    } catch (e) {
      const msg = (e as Error).message;
      if (msg.startsWith('cannot read inspect file')) throw e; // the user's own path: usage error
      containersError = msg; // malformed: the container checks are ERROR with the parse message
    }
    if (containers && ids.length) {
      const wanted = (x: ContainerInfo, id: string) => x.name === id || x.name === `/${id}` || (id.length >= 4 && x.id.startsWith(id));
      const missing = ids.filter((id) => !containers!.some((x) => wanted(x, id)));
      if (missing.length) throw new VigilError('bad-option', `${o.inspect} has no container ${missing.join(', ')}`, { kind: 'usage' });
      containers = containers.filter((x) => ids.some((id) => wanted(x, id)));
    }
  } else {
    source = c.resolveDockerHost(o.dockerHost).display;
    containers = ids.length ? await c.inspectContainers(ids, { dockerHost: o.dockerHost }) : await c.listContainers({ dockerHost: o.dockerHost, all: o.all ?? false });
  }
  const name = ids.length ? ids.join(',') : source;
  const report = await runBenchmark(bench, { root, allowCommands: [], ...(containers ? { containers } : {}), ...(containersError ? { containersError } : {}) }, { checks, targetType: 'container', targetName: name });
  // A PASS says how many containers were checked; name them too.
  const names = (containers ?? []).map((x) => x.name || x.id.slice(0, 12));
  if (names.length) for (const r of report.results) if (r.level === 'PASS') r.evidence.push(`checked: ${names.join(', ')}`);
  return report;
}

/** The `vigil bench` targets. Image checks are found at run time until src/compliance/image/ lands. */
export const BENCH_TARGETS: BenchTarget[] = [
  {
    name: 'docker',
    description: 'CIS Docker Benchmark v1.6.0: host, daemon, files, images and containers',
    options: (cmd) =>
      hostOptions(cmd)
        .option('--docker-host <url>', 'Docker Engine API for the container checks (unix:///path or tcp://host:port; Podman\'s service works)')
        .option('--inspect <file>', 'container checks from a `docker inspect` JSON file instead of the API'),
    action: (_args, o) => dockerBench(o, 'all'),
  },
  {
    name: 'host',
    description: 'the host-level checks of CIS Docker (host configuration, daemon, daemon files)',
    options: hostOptions,
    action: (_args, o) => dockerBench(o, 'host'),
  },
  {
    name: 'kubernetes',
    description: 'CIS Kubernetes Benchmark v1.9.0 (or 1.8.0) on a node: kubeadm, k3s or RKE2, detected from the root',
    options: (cmd) =>
      hostOptions(cmd)
        .option('--benchmark <id>', 'cis-1.9.0 or cis-1.8.0', 'cis-1.9.0')
        .option('--role <role>', 'master, worker or auto (detected; a worker skips sections 1-3)', 'auto'),
    action: (_args, o) => kubernetesBench(o),
  },
  {
    name: 'custom',
    description: 'run a custom check script against a host root or inside a container (exit 0 = PASS)',
    args: ['<script>'],
    options: (cmd) =>
      cmd
        .option('--root <dir>', 'the host root the script checks (ROOT=<dir>, cwd the root)', '/')
        .option('--container <id>', 'run the script inside this container (docker/podman exec)')
        .option('--timeout <seconds>', 'time limit for the script', '30'),
    async action([script], o) {
      const secs = Number(o.timeout ?? '30');
      if (!Number.isFinite(secs) || secs <= 0) throw new VigilError('bad-option', `--timeout must be a positive number of seconds, got ${JSON.stringify(o.timeout)}`, { kind: 'usage' });
      const { runCustomCheck } = await import('../../compliance/custom/run-custom-check.js');
      if (o.container) return runCustomCheck(script!, { container: o.container, timeoutMs: secs * 1000 });
      return runCustomCheck(script!, { root: await checkRoot(o.root ?? '/'), timeoutMs: secs * 1000 });
    },
  },
  {
    name: 'image',
    description: "image checks with NeuVector's ids (I.4.1, I.4.6, I.4.8, I.4.9, I.4.10)",
    args: ['<ref>'],
    async action([ref]) {
      // Resolved at run time so this file builds before the image checks exist.
      const spec = '../../compliance/image/index.js';
      let mod: { runImageChecks?: (img: unknown) => Promise<ComplianceReport> };
      try {
        mod = (await import(/* @vite-ignore */ spec)) as typeof mod;
      } catch {
        throw new VigilError('unavailable', 'image checks are not part of this build', { kind: 'usage' });
      }
      const { openImage } = await import('../../image/index.js');
      const img = await openImage(ref!);
      try {
        return await mod.runImageChecks!(img);
      } finally {
        await img.close();
      }
    },
  },
  {
    name: 'container',
    description: 'CIS Docker container-runtime checks (5.x) for the named containers (default: every running one)',
    args: ['[ids...]'],
    options: (cmd) =>
      cmd
        .option('--docker-host <url>', 'Docker Engine API (unix:///path or tcp://host:port; Podman\'s service works); default DOCKER_HOST or /var/run/docker.sock')
        .option('--inspect <file>', 'containers from a `docker inspect` JSON file instead of the API')
        .option('--all', 'stopped containers too (without ids)')
        .option('--root <dir>', 'the containers\' host root, for host-dependent checks (AppArmor, SELinux, sshd)', '/'),
    action: ([ids], o) => containerBench((ids as unknown as string[] | undefined) ?? [], o),
  },
];

export function registerBenchCommands(program: Command, result: { code: number }): void {
  const bench = program.command('bench').description('compliance: CIS Docker and Kubernetes benchmarks, container, image and custom checks').exitOverride();
  for (const t of BENCH_TARGETS) {
    let cmd = bench.command(t.name).description(t.description).exitOverride();
    for (const a of t.args ?? []) cmd = cmd.argument(a);
    cmd = common(t.options ? t.options(cmd) : cmd);
    cmd.action(async (...params: unknown[]) => {
      const n = (t.args ?? []).length;
      const args = params.slice(0, n) as string[];
      const o = params[n] as BenchOptions;
      const p = await plan(o);
      result.code = await emit(await t.action(args, o), o, p);
    });
  }
}
