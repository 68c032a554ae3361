/**
 * `vigil bench kubernetes` through the built binary (`npm run build` first) on the fixture
 * roots: distribution and role detected, a worker without the control-plane sections, no WARN
 * or ERROR on the compliant nodes (k3s and RKE2 included), exactly the intended WARNs on the
 * misconfigured ones.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ComplianceReport } from '../../compliance/types.js';
import { prepareFixtureRoot, type KubeFixture, type PreparedRoot } from '../../compliance/kubernetes/fixture-root.js';

const REPO = resolve(import.meta.dirname, '../../..');
const BIN = join(REPO, 'bin/vigil.js');

function vigil(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

const roots = new Map<string, PreparedRoot>();
async function rootOf(f: KubeFixture): Promise<PreparedRoot> {
  let r = roots.get(f);
  if (!r) {
    r = await prepareFixtureRoot(f);
    roots.set(f, r);
  }
  return r;
}

async function bench(f: KubeFixture, extra: string[] = []): Promise<{ code: number | null; report: ComplianceReport; owners: boolean }> {
  const r = await rootOf(f);
  const out = await vigil(['bench', 'kubernetes', '--root', r.root, '--format', 'json', ...extra]);
  expect(out.stderr).toBe('');
  return { code: out.code, report: JSON.parse(out.stdout) as ComplianceReport, owners: r.ownersApplied };
}

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist/compliance/kubernetes/run-kube-bench.js'))) throw new Error('run `npm run build` first');
});
afterAll(async () => {
  for (const r of roots.values()) await r.cleanup();
});

const OWNER_CHECKS = ['1.1.12', '4.1.6'];
const MASTER_WARN = ['1.1.1', '1.1.11', '1.1.12', '1.1.13', '1.2.2', '1.2.5', '1.2.6', '1.2.7', '1.2.8', '1.2.10', '1.2.14', '1.2.15', '1.2.16', '1.2.17', '1.2.18', '1.2.19', '1.3.2', '1.3.3', '1.3.7', '1.4.1', '1.4.2', '2.2', '2.3', '4.1.1'];
const WORKER_WARN = ['4.1.1', '4.1.5', '4.1.6', '4.1.9', '4.2.1', '4.2.2', '4.2.6', '4.2.10'];

const ids = (rep: ComplianceReport, level: string, owners: boolean) => rep.results.filter((r) => r.level === level && r.automated && (owners || !/ownership/.test(r.title))).map((r) => r.id);
const controlPlane = (rep: ComplianceReport) => rep.results.filter((r) => /^[123]\./.test(r.id)).map((r) => r.id);

describe('vigil bench kubernetes (built binary)', () => {
  test.each`
    fixture                           | distro       | role               | warn
    ${'kubeadm-master'}               | ${'kubeadm'} | ${'control-plane'} | ${[]}
    ${'kubeadm-master-misconfigured'} | ${'kubeadm'} | ${'control-plane'} | ${MASTER_WARN}
    ${'kubeadm-worker'}               | ${'kubeadm'} | ${'worker'}        | ${[]}
    ${'kubeadm-worker-misconfigured'} | ${'kubeadm'} | ${'worker'}        | ${WORKER_WARN}
    ${'k3s-server'}                   | ${'k3s'}     | ${'control-plane'} | ${[]}
    ${'rke2-server'}                  | ${'rke2'}    | ${'control-plane'} | ${[]}
  `('$fixture: detected as $distro $role, WARN on exactly the intended checks, no ERROR', async ({ fixture, distro, role, warn }) => {
    const { code, report, owners } = await bench(fixture as KubeFixture);
    expect(code).toBe(0);
    expect(report).toMatchObject({ schemaVersion: 1, benchmark: 'cis-kubernetes-1.9.0', target: { type: 'node', name: `node (${distro} ${role})` } });
    expect(ids(report, 'WARN', owners)).toEqual((warn as string[]).filter((id) => owners || !OWNER_CHECKS.includes(id)));
    expect(ids(report, 'ERROR', true)).toEqual([]);
    if (role === 'worker') expect(controlPlane(report)).toEqual([]);
    else expect(controlPlane(report).length).toBeGreaterThan(50);
    // No component is "not running" on a node where it runs (k3s embeds them in `k3s server`).
    for (const r of report.results) if (/^(1\.[234]\.|4\.2\.|4\.3\.1$)/.test(r.id) && r.automated) expect(r.level, `${r.id} ${r.evidence.join(' ')}`).not.toBe('INFO');
  });

  test('--role overrides the detected role', async () => {
    const asWorker = await bench('kubeadm-master', ['--role', 'worker']);
    expect(asWorker.report.target.name).toBe('node (kubeadm worker)');
    expect(controlPlane(asWorker.report)).toEqual([]);
    expect(asWorker.report.results.some((r) => r.id === '4.2.1')).toBe(true);
    const asMaster = await bench('kubeadm-worker', ['--role', 'master']);
    expect(asMaster.report.target.name).toBe('node (kubeadm control-plane)');
    // A worker checked as a master: the API server is not there (INFO/NOTE, never WARN or ERROR).
    const r121 = asMaster.report.results.find((r) => r.id === '1.2.2')!;
    expect(['INFO', 'NOTE']).toContain(r121.level);
    expect(ids(asMaster.report, 'ERROR', true)).toEqual([]);
  });

  test('--benchmark cis-1.8.0', async () => {
    const { report } = await bench('k3s-server', ['--benchmark', 'cis-1.8.0']);
    expect(report.benchmark).toBe('cis-kubernetes-1.8.0');
    expect(ids(report, 'WARN', true)).toEqual([]);
  });

  test('--fail-on warn exits 1 on the misconfigured master, 0 on the compliant one', async () => {
    expect((await bench('kubeadm-master-misconfigured', ['--fail-on', 'warn'])).code).toBe(1);
    expect((await bench('kubeadm-master', ['--fail-on', 'warn'])).code).toBe(0);
  });

  test('bad input: a missing root or an unknown --role / --benchmark is exit 2 with one line', async () => {
    for (const args of [
      ['--root', '/nonexistent/vigil-root'],
      ['--root', REPO, '--role', 'boss'],
      ['--root', REPO, '--benchmark', 'cis-1.7'],
    ]) {
      const r = await vigil(['bench', 'kubernetes', ...args, '--format', 'json']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
