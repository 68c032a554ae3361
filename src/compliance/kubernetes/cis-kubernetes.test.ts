/**
 * Golden outcomes of the CIS Kubernetes definitions on the fixture roots: the compliant nodes
 * have no WARN, the misconfigured ones WARN on exactly what was broken on purpose, k3s and
 * RKE2 have no false WARN. The engine is loaded at run time so this suite waits (skips) until
 * src/compliance/engine is in the tree.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { CheckResult, ComplianceReport } from '../types.js';
import { prepareFixtureRoot, type KubeFixture } from './fixture-root.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const engineDir = path.join(here, '..', 'engine');

interface Engine {
  parseBenchmark(text: string, where: string): unknown;
  runBenchmark(def: unknown, ctx: { root: string }): Promise<ComplianceReport>;
}
async function engine(): Promise<Engine> {
  const load = (await import(/* @vite-ignore */ path.join(engineDir, 'load-benchmark.ts'))) as Pick<Engine, 'parseBenchmark'>;
  const run = (await import(/* @vite-ignore */ path.join(engineDir, 'run-benchmark.ts'))) as Pick<Engine, 'runBenchmark'>;
  return { parseBenchmark: load.parseBenchmark, runBenchmark: run.runBenchmark };
}

async function run(version: string, fixture: KubeFixture, mutate?: (root: string) => Promise<void>): Promise<{ results: CheckResult[]; ownersApplied: boolean }> {
  const e = await engine();
  const file = path.join(here, '..', 'benchmarks', `cis-kubernetes-${version}.yaml`);
  const def = e.parseBenchmark(await readFile(file, 'utf8'), file);
  const r = await prepareFixtureRoot(fixture, mutate);
  try {
    const rep = await e.runBenchmark(def, { root: r.root });
    return { results: rep.results, ownersApplied: r.ownersApplied };
  } finally {
    await r.cleanup();
  }
}

const byLevel = (rs: CheckResult[], level: string, ownersApplied: boolean): string[] =>
  rs.filter((r) => r.level === level && (ownersApplied || !/ownership/.test(r.title))).map((r) => r.id);

// 1.8.0 has 1.2.12 SecurityContextDeny, so its API server checks after 1.2.11 are one higher.
const shift18 = (ids: string[]): string[] => ids.map((id) => (/^1\.2\.(\d+)$/.test(id) && Number(id.split('.')[2]) >= 12 ? `1.2.${Number(id.split('.')[2]) + 1}` : id));

const MASTER_WARN_19 = [
  '1.1.1', // kube-apiserver.yaml 644
  '1.1.11', // /var/lib/etcd 755
  '1.1.12', // /var/lib/etcd root:root, no etcd user
  '1.1.13', // admin.conf 644
  '1.2.2', // --token-auth-file
  '1.2.5', // no --kubelet-certificate-authority
  '1.2.6', '1.2.7', '1.2.8', // --authorization-mode=AlwaysAllow
  '1.2.10', // AlwaysAdmit
  '1.2.14', // NodeRestriction missing
  '1.2.15', // profiling left at its default (true)
  '1.2.16', '1.2.17', '1.2.18', '1.2.19', // no audit log
  '1.3.2', '1.3.3', '1.3.7', // controller manager: profiling, SA credentials, bind 0.0.0.0
  '1.4.1', '1.4.2', // scheduler: profiling, bind 0.0.0.0
  '2.2', '2.3', // etcd: no client cert auth, auto-tls
  '4.1.1', // 10-kubeadm.conf as the package installs it (644)
];
const WORKER_WARN = [
  '4.1.1', // 10-kubeadm.conf 644
  '4.1.5', // kubelet.conf 644
  '4.1.6', // kubelet.conf ubuntu:ubuntu
  '4.1.9', // config.yaml 644
  '4.2.1', // anonymous auth in config.yaml
  '4.2.2', // AlwaysAllow in config.yaml
  '4.2.6', // --make-iptables-util-chains=false on the command line beats the config file's true
  '4.2.10', // rotateCertificates: false
];

describe('CIS Kubernetes goldens', () => {
  for (const v of ['1.9.0', '1.8.0']) {
    test.each`
      fixture                           | warn
      ${'kubeadm-master'}               | ${[]}
      ${'kubeadm-master-misconfigured'} | ${v === '1.9.0' ? MASTER_WARN_19 : shift18(MASTER_WARN_19)}
      ${'kubeadm-worker'}               | ${[]}
      ${'kubeadm-worker-misconfigured'} | ${WORKER_WARN}
      ${'k3s-server'}                   | ${[]}
      ${'rke2-server'}                  | ${[]}
    `(`${v} $fixture WARNs on exactly the intended checks, no ERROR`, async ({ fixture, warn }) => {
      const { results, ownersApplied } = await run(v, fixture);
      expect(byLevel(results, 'WARN', ownersApplied)).toEqual((warn as string[]).filter((id) => ownersApplied || !['1.1.12', '4.1.6'].includes(id)));
      expect(byLevel(results, 'ERROR', true)).toEqual([]);
      // Manual CIS items never WARN, and every policy item says why it is manual.
      for (const r of results) if (!r.automated) expect(r.level).not.toBe('WARN');
      for (const r of results.filter((x) => x.type === 'policy')) expect(r.level).toBe('MANUAL');
    });
  }

  test('RKE2: flags come from the static pod processes and etcd from its --config-file YAML', async () => {
    const { results } = await run('1.9.0', 'rke2-server');
    const get = (id: string) => results.find((r) => r.id === id)!;
    expect(get('1.2.16').level).toBe('PASS');
    expect(get('2.2').level).toBe('PASS');
    expect(get('2.2').evidence.join(' ')).toContain('/var/lib/rancher/rke2/server/db/etcd/config');
    expect(get('1.1.1').level).toBe('PASS');
    expect(get('1.1.12').level).toBe('PASS');
    expect(get('4.1.1').level).toBe('NOTE'); // no kubelet service file: rke2 starts the kubelet
  });

  test('k3s: no manifests is NOTE, embedded etcd owned by root passes 1.1.12', async () => {
    const { results } = await run('1.9.0', 'k3s-server');
    const get = (id: string) => results.find((r) => r.id === id)!;
    for (const id of ['1.1.1', '1.1.2', '1.1.7', '4.1.1', '4.1.9']) expect(get(id).level).toBe('NOTE');
    expect(get('1.1.11').level).toBe('PASS');
    expect(get('1.1.12').level).toBe('PASS');
    expect(get('1.1.13').level).toBe('PASS');
    expect(get('2.2').level).toBe('PASS'); // read from server/db/etcd/config
  });

  test('k3s: the embedded components are read from k3s built-in flags + config.yaml (+ drop-ins), never "not running"', async () => {
    const { results } = await run('1.9.0', 'k3s-server');
    const get = (id: string) => results.find((r) => r.id === id)!;
    const flagChecks = results.filter((r) => /^(1\.[234]\.|3\.2\.1$|4\.2\.|4\.3\.1$)/.test(r.id) && r.level !== 'MANUAL');
    expect(flagChecks.length).toBeGreaterThan(40);
    for (const r of flagChecks) {
      expect(r.evidence.join(' '), r.id).not.toMatch(/not running/);
      expect(['PASS', 'INFO'], r.id).toContain(r.level);
      if (r.automated) expect(r.level, r.id).toBe('PASS');
    }
    // Built-in flags (profiling=false), config.yaml (audit log) and the supervisor's own --kube-apiserver-arg.
    expect(get('1.2.15').evidence.join(' ')).toContain('k3s built-in flags');
    expect(get('1.2.16').level).toBe('PASS');
    expect(get('1.3.2').level).toBe('PASS');
    expect(get('1.4.1').level).toBe('PASS');
    expect(get('4.2.1').level).toBe('PASS');
    expect(get('4.3.1').level).toBe('PASS');
  });

  test('k3s: a malformed config.yaml is ERROR on the embedded components\' flag checks, file checks go on', async () => {
    const { results } = await run('1.9.0', 'k3s-server', async (root) => {
      await writeFile(path.join(root, 'etc/rancher/k3s/config.yaml'), 'kube-apiserver-arg: [\n');
    });
    const r = results.find((x) => x.id === '1.2.16')!;
    expect(r.level).toBe('ERROR');
    expect(r.evidence.join(' ')).toContain('/etc/rancher/k3s/config.yaml');
    expect(results.find((x) => x.id === '1.1.13')!.level).toBe('PASS');
  });

  test('kubeadm master with the API server stopped: its flags come from the static pod manifest', async () => {
    const { results } = await run('1.9.0', 'kubeadm-master', async (root) => {
      const { readdir } = await import('node:fs/promises');
      for (const pid of await readdir(path.join(root, 'proc'))) {
        const f = path.join(root, 'proc', pid, 'cmdline');
        if (existsSync(f) && (await readFile(f, 'utf8')).startsWith('kube-apiserver')) await rm(path.join(root, 'proc', pid), { recursive: true });
      }
    });
    const r = results.find((x) => x.id === '1.2.16')!;
    expect(r.level).toBe('PASS');
    expect(r.evidence.join(' ')).toContain('/etc/kubernetes/manifests/kube-apiserver.yaml');
  });

  test('a missing file is NOTE, not a failure', async () => {
    const { results } = await run('1.9.0', 'kubeadm-master', async (root) => {
      await rm(path.join(root, 'etc/kubernetes/scheduler.conf'));
    });
    const r = results.find((x) => x.id === '1.1.15')!;
    expect(r.level).toBe('NOTE');
    expect(r.evidence.join(' ')).toContain('not found');
  });

  test('malformed kubelet config.yaml: ERROR with the parse message on the checks that read it, the others go on', async () => {
    const { results } = await run('1.9.0', 'kubeadm-worker', async (root) => {
      await writeFile(path.join(root, 'var/lib/kubelet/config.yaml'), 'authentication:\n  anonymous: {enabled: false\n');
    });
    const r = results.find((x) => x.id === '4.2.1')!;
    expect(r.level).toBe('ERROR');
    expect(r.evidence.join(' ')).toMatch(/config\.yaml is not valid YAML: .+/);
    expect(results.find((x) => x.id === '4.1.1')!.level).toBe('PASS');
    expect(results.find((x) => x.id === '4.1.2')!.level).toBe('PASS');
    // 4.1.5 and 4.1.9 only need the file a flag names: a broken config file does not touch them.
    expect(results.find((x) => x.id === '4.1.5')!.level).toBe('PASS');
    expect(results.find((x) => x.id === '4.1.9')!.level).toBe('PASS');
  });

  test('malformed etcd config file (RKE2): ERROR on the etcd flag checks, API server checks still PASS', async () => {
    const { results } = await run('1.9.0', 'rke2-server', async (root) => {
      await writeFile(path.join(root, 'var/lib/rancher/rke2/server/db/etcd/config'), 'client-transport-security: [\n');
    });
    expect(results.find((x) => x.id === '2.2')!.level).toBe('ERROR');
    expect(results.find((x) => x.id === '1.2.6')!.level).toBe('PASS');
  });
});

describe('CIS Kubernetes definitions', () => {
  test.each(['1.8.0', '1.9.0'])('%s: ids unique, every check has remediation and tags', async (v) => {
    const { parse } = await import('yaml');
    const doc = parse(await readFile(path.join(here, '..', 'benchmarks', `cis-kubernetes-${v}.yaml`), 'utf8')) as { id: string; checks: Array<{ id: string; remediation: string; tags: string[]; profile: string }> };
    expect(doc.id).toBe(`cis-kubernetes-${v}`);
    const ids = doc.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.includes('1.2.30')).toBe(v === '1.8.0');
    expect(ids.includes('4.3.1')).toBe(v === '1.9.0');
    for (const c of doc.checks) {
      expect(c.remediation.length).toBeGreaterThan(10);
      expect(c.tags.length).toBeGreaterThan(0);
      expect(['Level 1', 'Level 2']).toContain(c.profile);
    }
  });
});
