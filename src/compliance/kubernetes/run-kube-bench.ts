/**
 * `vigil bench kubernetes`: detect the node's distribution and role, then run a CIS
 * Kubernetes benchmark on it. A worker has no control plane: sections 1–3 are left out
 * instead of being reported as "not running" / "not found".
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { VigilError } from '../../core/errors.js';
import { selectChecks, type CheckFilter } from '../engine/filters.js';
import { loadBenchmark } from '../engine/load-benchmark.js';
import { runBenchmark } from '../engine/run-benchmark.js';
import type { ComplianceReport } from '../types.js';
import { detectKubernetes } from './detect.js';
import type { KubeProfile, KubeRole } from './types.js';

export const KUBE_BENCHMARKS = ['cis-1.9.0', 'cis-1.8.0'] as const;
export const KUBE_ROLES = ['master', 'worker', 'auto'] as const;

export interface KubeBenchOptions extends CheckFilter {
  root: string;
  /** `cis-1.9.0` (default) or `cis-1.8.0`; the full id `cis-kubernetes-1.9.0` works too. */
  benchmark?: string;
  /** `auto` (default): the detected role. */
  role?: string;
  allowCommands?: string[];
}

/** Sections that exist only on a control-plane node. */
const CONTROL_PLANE_SECTIONS = ['1', '2', '3'];

function benchmarkId(v: string | undefined): string {
  const s = (v ?? 'cis-1.9.0').toLowerCase();
  const m = /^(?:cis-)?(?:kubernetes-)?(1\.[89]\.0)$/.exec(s);
  if (!m) throw new VigilError('bad-option', `--benchmark takes ${KUBE_BENCHMARKS.join(' or ')}, got ${JSON.stringify(v)}`, { kind: 'usage' });
  return `cis-kubernetes-${m[1]}`;
}

function roleOf(v: string | undefined, detected: KubeRole): { role: KubeRole; how: string } {
  const s = (v ?? 'auto').toLowerCase();
  if (s === 'auto') return { role: detected, how: 'detected' };
  if (s === 'master' || s === 'control-plane') return { role: 'control-plane', how: '--role' };
  if (s === 'worker' || s === 'node') return { role: 'worker', how: '--role' };
  throw new VigilError('bad-option', `--role takes ${KUBE_ROLES.join(', ')}, got ${JSON.stringify(v)}`, { kind: 'usage' });
}

async function hostname(root: string): Promise<string> {
  try {
    const h = (await readFile(path.join(root, 'etc/hostname'), 'utf8')).trim().split('\n')[0]!.trim();
    if (h) return h;
  } catch {
    // no hostname file
  }
  return root;
}

export interface KubeBenchResult {
  report: ComplianceReport;
  profile: KubeProfile;
  role: KubeRole;
}

/**
 * The report's target is `{ type: 'node', name: '<hostname> (<distribution> <role>)' }`: the
 * SPEC's target has no distribution field, and a result with an invented id would break the
 * "ids are CIS section numbers" rule, so the name carries it.
 */
export async function runKubernetesBench(o: KubeBenchOptions): Promise<KubeBenchResult> {
  const id = benchmarkId(o.benchmark);
  const bench = await loadBenchmark(id);
  const profile = await detectKubernetes(o.root);
  const { role } = roleOf(o.role, profile.role);
  let checks = selectChecks(bench.checks, o);
  if (role === 'worker') checks = checks.filter((c) => !CONTROL_PLANE_SECTIONS.includes(c.id.split('.')[0]!));
  const what = profile.distribution === 'unknown' ? 'no Kubernetes distribution detected' : `${profile.distribution} ${role}`;
  const name = `${await hostname(o.root)} (${what})`;
  const report = await runBenchmark(bench, { root: o.root, allowCommands: o.allowCommands ?? [] }, { checks, targetType: 'node', targetName: name });
  return { report, profile, role };
}
