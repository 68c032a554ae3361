// Compliance benchmark (issue 4, section 7): wall time and peak RSS of the built CLI running
//   - the full CIS Docker 1.6.0 benchmark on the `misconfigured` Docker fixture host, with the
//     container section fed from the captured inspect file (every section runs),
//   - the full CIS Kubernetes 1.9.0 benchmark on the kubeadm master fixture root (modes applied
//     from its modes.json; owners too when running as root),
//   - the image checks on the `app-insecure` fixture image (OCI layout in ../shared).
// One untimed warm-up run each, then `runs` timed runs; median wall, peak RSS over the runs.
import { chmod, chown, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { median, timeRun } from './measure.mjs';

export const COMPLIANCE_GOAL_MS = 1000;

function idTable(text) {
  const m = new Map();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && /^\d+$/.test(id)) m.set(name, Number(id));
  }
  return m;
}

/** The Docker fixture host, with an etc/passwd and etc/group mapping `root` to whoever runs this. */
async function dockerRoot(repo, dest) {
  await cp(path.join(repo, 'src/compliance/engine/__fixtures__/docker-hosts/misconfigured'), dest, { recursive: true, verbatimSymlinks: true });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  await mkdir(path.join(dest, 'etc'), { recursive: true });
  await writeFile(path.join(dest, 'etc/passwd'), [`root:x:${uid}:${gid}:root:/root:/bin/sh`].join('\n') + '\n');
  await writeFile(path.join(dest, 'etc/group'), [`root:x:${gid}:`, `docker:x:${gid === 999 ? 998 : 999}:`].join('\n') + '\n');
  return dest;
}

/** The kubeadm master fixture with its modes.json applied (as src/compliance/kubernetes/fixture-root.ts does). */
async function kubeRoot(repo, dest) {
  const src = path.join(repo, 'src/compliance/kubernetes/__fixtures__/kubeadm-master');
  await cp(src, dest, { recursive: true });
  const modes = JSON.parse(await readFile(path.join(src, 'modes.json'), 'utf8'));
  const users = idTable(await readFile(path.join(dest, 'etc/passwd'), 'utf8'));
  const groups = idTable(await readFile(path.join(dest, 'etc/group'), 'utf8'));
  const isRoot = process.getuid?.() === 0;
  const entries = Object.entries(modes.files).sort((a, b) => b[0].split('/').length - a[0].split('/').length);
  for (const [rel, { mode, owner }] of entries) {
    const p = path.join(dest, rel);
    if (isRoot) {
      const [u = 'root', g = u] = owner.split(':');
      await chown(p, users.get(u) ?? 0, groups.get(g) ?? 0);
    }
    await chmod(p, parseInt(mode, 8));
  }
  return dest;
}

/**
 * @param {{repo: string, tmp: string, env: object, timeFile: string, runs: number, fixtureOci: string, log: (m: string) => void}} o
 */
export async function runComplianceBench(o) {
  const bin = path.join(o.repo, 'bin', 'vigil.js');
  const docker = await dockerRoot(o.repo, path.join(o.tmp, 'compliance-docker'));
  const kube = await kubeRoot(o.repo, path.join(o.tmp, 'compliance-kube'));
  const inspect = path.join(o.repo, 'src/compliance/engine/__fixtures__/containers.inspect.json');
  const cases = [
    { id: 'docker', label: 'CIS Docker 1.6.0, fixture host + inspect file', args: ['bench', 'docker', '--root', docker, '--inspect', inspect] },
    { id: 'kubernetes', label: 'CIS Kubernetes 1.9.0, kubeadm master fixture', args: ['bench', 'kubernetes', '--root', kube] },
    { id: 'image', label: 'image checks, app-insecure (OCI layout)', args: ['bench', 'image', `oci:${o.fixtureOci}:app-insecure`] },
  ];
  const results = [];
  for (const c of cases) {
    const argv = [process.execPath, bin, ...c.args, '--format', 'json', '--quiet'];
    const out = path.join(o.tmp, `compliance-${c.id}.json`);
    await timeRun(argv, { env: o.env, stdout: out, timeFile: o.timeFile, timeoutMs: 120_000 });
    const report = JSON.parse(await readFile(out, 'utf8'));
    const samples = [];
    for (let i = 0; i < o.runs; i++) samples.push(await timeRun(argv, { env: o.env, timeFile: o.timeFile, timeoutMs: 120_000 }));
    const r = {
      id: c.id,
      label: c.label,
      command: `vigil ${c.args.map((a) => (a.startsWith(o.tmp) ? a.replace(o.tmp, '$TMP') : a)).join(' ')} --format json`,
      checks: report.results.length,
      summary: report.summary,
      medianWallMs: median(samples.map((x) => x.wallMs)),
      minWallMs: Math.min(...samples.map((x) => x.wallMs)),
      maxWallMs: Math.max(...samples.map((x) => x.wallMs)),
      peakRssMb: Math.max(...samples.map((x) => x.rssMb)),
      samples,
    };
    r.goalMet = r.medianWallMs <= COMPLIANCE_GOAL_MS;
    o.log(`  ${c.id}: median ${r.medianWallMs.toFixed(0)} ms (${samples.map((x) => x.wallMs.toFixed(0)).join(', ')}), peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.checks} checks`);
    results.push(r);
  }
  return results;
}

export function formatComplianceTable(results, runs) {
  const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  const rows = [['benchmark', 'checks', 'median wall', 'min-max', 'peak RSS', `goal <= ${COMPLIANCE_GOAL_MS} ms`]];
  for (const r of results) {
    rows.push([r.label, String(r.checks), fmtMs(r.medianWallMs), `${fmtMs(r.minWallMs)}-${fmtMs(r.maxWallMs)}`, `${r.peakRssMb.toFixed(0)} MB`, r.goalMet ? 'met' : 'MISS']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [`Compliance (vigil bench, built CLI, one process per run), median of ${runs} runs after one warm-up; peak RSS = max over runs`, line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
