import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectKubernetes } from './detect.js';
import { effectiveArgs } from './effective-args.js';
import { KUBE_FIXTURES, prepareFixtureRoot, type KubeFixture, type PreparedRoot } from './fixture-root.js';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const roots = new Map<KubeFixture, PreparedRoot>();
beforeAll(async () => {
  for (const f of KUBE_FIXTURES) roots.set(f, await prepareFixtureRoot(f));
});
afterAll(async () => {
  for (const r of roots.values()) await r.cleanup();
});
const rootOf = (f: KubeFixture): string => roots.get(f)!.root;

describe('detectKubernetes', () => {
  test.each`
    fixture                           | distribution | role               | apiserver    | kubelet      | datastore   | etcdOwner
    ${'kubeadm-master'}               | ${'kubeadm'} | ${'control-plane'} | ${'process'} | ${'process'} | ${'etcd'}   | ${'etcd:etcd'}
    ${'kubeadm-master-misconfigured'} | ${'kubeadm'} | ${'control-plane'} | ${'process'} | ${'process'} | ${'etcd'}   | ${'etcd:etcd'}
    ${'kubeadm-worker'}               | ${'kubeadm'} | ${'worker'}        | ${'process'} | ${'process'} | ${'none'}   | ${'etcd:etcd'}
    ${'kubeadm-worker-misconfigured'} | ${'kubeadm'} | ${'worker'}        | ${'process'} | ${'process'} | ${'none'}   | ${'etcd:etcd'}
    ${'k3s-server'}                   | ${'k3s'}     | ${'control-plane'} | ${'embedded'}| ${'embedded'}| ${'etcd'}   | ${'root:root'}
    ${'rke2-server'}                  | ${'rke2'}    | ${'control-plane'} | ${'process'} | ${'process'} | ${'etcd'}   | ${'etcd:etcd'}
  `('$fixture is $distribution $role', async ({ fixture, distribution, role, apiserver, kubelet, datastore, etcdOwner }) => {
    const p = await detectKubernetes(rootOf(fixture));
    expect(p.distribution).toBe(distribution);
    expect(p.role).toBe(role);
    expect(p.components.apiserver.runs).toBe(apiserver);
    expect(p.components.kubelet.runs).toBe(kubelet);
    expect(p.datastore).toBe(datastore);
    expect(p.etcdDataDirOwner).toBe(etcdOwner);
    expect(p.evidence.length).toBeGreaterThan(0);
  });

  test.each`
    fixture             | manifestsDir                                  | pkiDir                                | kubeletKubeconfig                                 | kubeletConfig                     | kubeletService                                              | etcdDataDir
    ${'kubeadm-master'} | ${'/etc/kubernetes/manifests'}                | ${'/etc/kubernetes/pki'}              | ${'/etc/kubernetes/kubelet.conf'}                 | ${'/var/lib/kubelet/config.yaml'} | ${'/etc/systemd/system/kubelet.service.d/10-kubeadm.conf'} | ${'/var/lib/etcd'}
    ${'kubeadm-worker'} | ${'/etc/kubernetes/manifests'}                | ${'/etc/kubernetes/pki'}              | ${'/etc/kubernetes/kubelet.conf'}                 | ${'/var/lib/kubelet/config.yaml'} | ${'/etc/systemd/system/kubelet.service.d/10-kubeadm.conf'} | ${undefined}
    ${'k3s-server'}     | ${undefined}                                  | ${'/var/lib/rancher/k3s/server/tls'}  | ${'/var/lib/rancher/k3s/agent/kubelet.kubeconfig'}  | ${undefined}                      | ${undefined}                                                | ${'/var/lib/rancher/k3s/server/db/etcd'}
    ${'rke2-server'}    | ${'/var/lib/rancher/rke2/agent/pod-manifests'} | ${'/var/lib/rancher/rke2/server/tls'} | ${'/var/lib/rancher/rke2/agent/kubelet.kubeconfig'} | ${undefined}                      | ${undefined}                                                | ${'/var/lib/rancher/rke2/server/db/etcd'}
  `('$fixture paths', async ({ fixture, manifestsDir, pkiDir, kubeletKubeconfig, kubeletConfig, kubeletService, etcdDataDir }) => {
    const p = await detectKubernetes(rootOf(fixture));
    expect(p.paths.manifestsDir).toBe(manifestsDir);
    expect(p.paths.pkiDir).toBe(pkiDir);
    expect(p.paths.kubeletKubeconfig).toBe(kubeletKubeconfig);
    expect(p.paths.kubeletConfig).toBe(kubeletConfig);
    expect(p.paths.kubeletService).toBe(kubeletService);
    expect(p.paths.etcdDataDir).toBe(etcdDataDir);
  });

  test('RKE2 etcd reads its flags from the --config-file YAML', async () => {
    const p = await detectKubernetes(rootOf('rke2-server'));
    expect(p.components.etcd.process?.pid).toBe(1402);
    expect(p.components.etcd.configFile).toBe('/var/lib/rancher/rke2/server/db/etcd/config');
  });

  test.each`
    name                          | files                                                   | procs                                   | distribution | role
    ${'empty root'}               | ${[]}                                                   | ${[]}                                   | ${'unknown'} | ${'unknown'}
    ${'stopped k3s agent'}        | ${['var/lib/rancher/k3s/agent/kubelet.kubeconfig']}     | ${[]}                                   | ${'k3s'}     | ${'worker'}
    ${'stopped rke2 server'}      | ${['var/lib/rancher/rke2/server/token']}                | ${[]}                                   | ${'rke2'}    | ${'control-plane'}
    ${'k3s agent running'}        | ${[]}                                                   | ${[['/usr/local/bin/k3s', 'agent']]}    | ${'k3s'}     | ${'worker'}
    ${'rke2 wins over /run/k3s'}  | ${['var/lib/rancher/k3s/agent/x']}                      | ${[['/usr/local/bin/rke2', 'server']]}  | ${'rke2'}    | ${'control-plane'}
    ${'hand-made control plane'}  | ${[]}                                                   | ${[['/usr/local/bin/kube-apiserver', '--secure-port=6443'], ['/usr/local/bin/kubelet']]} | ${'unknown'} | ${'control-plane'}
    ${'kubeadm worker, stopped'}  | ${['etc/systemd/system/kubelet.service.d/10-kubeadm.conf']} | ${[]}                               | ${'kubeadm'} | ${'worker'}
  `('$name → $distribution $role', async ({ files, procs, distribution, role }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vigil-kube-detect-'));
    try {
      for (const f of files as string[]) {
        await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
        await writeFile(path.join(dir, f), '');
      }
      let pid = 100;
      for (const argv of procs as string[][]) {
        await mkdir(path.join(dir, 'proc', String(++pid)), { recursive: true });
        await writeFile(path.join(dir, 'proc', String(pid), 'cmdline'), argv.join('\0') + '\0');
      }
      const p = await detectKubernetes(dir);
      expect(p.distribution).toBe(distribution);
      expect(p.role).toBe(role);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('effectiveArgs', () => {
  test.each`
    fixture                           | component               | flag                              | value
    ${'kubeadm-master'}               | ${'apiserver'}          | ${'authorization-mode'}           | ${'Node,RBAC'}
    ${'kubeadm-master'}               | ${'apiserver'}          | ${'profiling'}                    | ${'false'}
    ${'kubeadm-master-misconfigured'} | ${'apiserver'}          | ${'authorization-mode'}           | ${'AlwaysAllow'}
    ${'kubeadm-master-misconfigured'} | ${'apiserver'}          | ${'profiling'}                    | ${undefined}
    ${'kubeadm-master'}               | ${'etcd'}               | ${'client-cert-auth'}             | ${'true'}
    ${'kubeadm-worker-misconfigured'} | ${'kubelet'}            | ${'make-iptables-util-chains'}    | ${'false'}
    ${'k3s-server'}                   | ${'apiserver'}          | ${'anonymous-auth'}               | ${'false'}
    ${'k3s-server'}                   | ${'apiserver'}          | ${'audit-log-maxage'}             | ${'30'}
    ${'k3s-server'}                   | ${'apiserver'}          | ${'enable-admission-plugins'}     | ${'NodeRestriction,EventRateLimit,AlwaysPullImages'}
    ${'k3s-server'}                   | ${'apiserver'}          | ${'encryption-provider-config'}   | ${'/var/lib/rancher/k3s/server/cred/encryption-config.json'}
    ${'k3s-server'}                   | ${'apiserver'}          | ${'etcd-certfile'}                | ${'/var/lib/rancher/k3s/server/tls/etcd/client.crt'}
    ${'k3s-server'}                   | ${'controller-manager'} | ${'terminated-pod-gc-threshold'}  | ${'10'}
    ${'k3s-server'}                   | ${'scheduler'}          | ${'profiling'}                    | ${'false'}
    ${'k3s-server'}                   | ${'kubelet'}            | ${'protect-kernel-defaults'}      | ${'true'}
    ${'k3s-server'}                   | ${'kubelet'}            | ${'event-qps'}                    | ${'5'}
    ${'k3s-server'}                   | ${'kubelet'}            | ${'hostname-override'}            | ${'node'}
    ${'k3s-server'}                   | ${'etcd'}               | ${'config-file'}                  | ${'/var/lib/rancher/k3s/server/db/etcd/config'}
    ${'rke2-server'}                  | ${'apiserver'}          | ${'audit-log-path'}               | ${'/var/lib/rancher/rke2/server/logs/audit.log'}
    ${'rke2-server'}                  | ${'kubelet'}            | ${'read-only-port'}               | ${'0'}
  `('$fixture $component --$flag = $value', async ({ fixture, component, flag, value }) => {
    const root = rootOf(fixture);
    const a = await effectiveArgs(root, await detectKubernetes(root), component);
    expect(a).toBeDefined();
    expect(a!.errors).toEqual([]);
    expect(a!.flags.get(flag)).toBe(value);
  });

  test('a worker has no API server flags', async () => {
    const root = rootOf('kubeadm-worker');
    expect(await effectiveArgs(root, await detectKubernetes(root), 'apiserver')).toBeUndefined();
  });

  test('k3s sources name the built-ins, config.yaml, its drop-in and the supervisor flag', async () => {
    const root = rootOf('k3s-server');
    const a = (await effectiveArgs(root, await detectKubernetes(root), 'apiserver'))!;
    expect(a.sources).toEqual(['k3s built-in flags', '/etc/rancher/k3s/config.yaml', '/etc/rancher/k3s/config.yaml.d/50-events.yaml', 'pid 1180 (/usr/local/bin/k3s server) --kube-apiserver-arg']);
  });

  test('a stopped kubeadm control plane: flags come from the static pod manifest', async () => {
    const p = await prepareFixtureRoot('kubeadm-master', async (root) => {
      await rm(path.join(root, 'proc', '1423'), { recursive: true });
    });
    try {
      const prof = await detectKubernetes(p.root);
      expect(prof.components.apiserver.process).toBeUndefined();
      const a = (await effectiveArgs(p.root, prof, 'apiserver'))!;
      expect(a.sources).toEqual(['/etc/kubernetes/manifests/kube-apiserver.yaml']);
      expect(a.flags.get('profiling')).toBe('false');
    } finally {
      await p.cleanup();
    }
  });

  test('malformed config.yaml: the parse message is reported, the other sources still count', async () => {
    const p = await prepareFixtureRoot('k3s-server', async (root) => {
      await writeFile(path.join(root, 'etc/rancher/k3s/config.yaml'), 'kube-apiserver-arg: [unclosed\n');
    });
    try {
      const a = (await effectiveArgs(p.root, await detectKubernetes(p.root), 'apiserver'))!;
      expect(a.errors).toHaveLength(1);
      expect(a.errors[0]).toMatch(/^\/etc\/rancher\/k3s\/config\.yaml: .+/);
      expect(a.flags.get('anonymous-auth')).toBe('false');
      expect(a.flags.get('enable-admission-plugins')).toBe('NodeRestriction,EventRateLimit,AlwaysPullImages');
      expect(a.flags.get('audit-log-path')).toBeUndefined();
    } finally {
      await p.cleanup();
    }
  });

  test('malformed static pod manifest of a stopped component is an error, not an empty flag set', async () => {
    const p = await prepareFixtureRoot('kubeadm-master', async (root) => {
      await rm(path.join(root, 'proc', '1423'), { recursive: true });
      await writeFile(path.join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'spec:\n  containers:\n  - command: [kube-apiserver\n');
    });
    try {
      const a = (await effectiveArgs(p.root, await detectKubernetes(p.root), 'apiserver'))!;
      expect(a.errors[0]).toMatch(/kube-apiserver\.yaml: /);
      expect(a.flags.size).toBe(0);
    } finally {
      await p.cleanup();
    }
  });
});

describe('fixture roots', () => {
  test.each([...KUBE_FIXTURES])('%s: modes.json is applied', async (f) => {
    const { stat } = await import('node:fs/promises');
    const root = rootOf(f);
    const p = f.startsWith('kubeadm-master') ? 'etc/kubernetes/manifests/kube-scheduler.yaml' : f.startsWith('kubeadm-worker') ? 'var/lib/kubelet/config.yaml' : `var/lib/rancher/${f.split('-')[0]}/server/cred/admin.kubeconfig`;
    const mode = (await stat(path.join(root, p))).mode & 0o777;
    expect(mode === 0o600 || mode === 0o644).toBe(true);
    if (f.endsWith('misconfigured') && f.startsWith('kubeadm-worker')) expect(mode).toBe(0o644);
    else expect(mode).toBe(0o600);
  });
});
