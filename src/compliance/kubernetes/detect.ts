/**
 * Which distribution laid out a node, from its root alone: running processes first (they say
 * what is live), then files (a stopped node, or a root copied off a machine). kubeadm, k3s and
 * RKE2 are told apart by their supervisors (`k3s server`, `rke2 server`) and data dirs; a node
 * that has Kubernetes processes but none of these layouts is `unknown` and gets the CIS
 * reference paths.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { layoutFor } from './distributions.js';
import { exeName, findProcess, listProcesses, parseFlags } from './processes.js';
import type { ComponentProfile, KubeComponent, KubeDistribution, KubeProcess, KubeProfile, KubeRole } from './types.js';
import { KUBE_COMPONENTS } from './types.js';

async function exists(root: string, p: string): Promise<boolean> {
  try {
    await access(path.join(root, p));
    return true;
  } catch {
    return false;
  }
}

/** The supervisor process (`k3s server`, `rke2 agent`) and its sub-command. */
function supervisorOf(procs: KubeProcess[], name: 'k3s' | 'rke2'): { proc: KubeProcess; mode: string } | undefined {
  for (const p of procs) {
    if (exeName(p) !== name) continue;
    const mode = p.argv[1] ?? '';
    if (mode === 'server' || mode === 'agent') return { proc: p, mode };
  }
  return undefined;
}

/**
 * Detect the distribution and build its profile.
 *
 * Shape: `{ distribution, role, evidence[], supervisor?, datastore, etcdDataDirOwner, paths, components }`
 * where `components[c]` says how component `c` runs (`process` | `embedded`), the process found,
 * its static pod manifest and config file, and the config.yaml key of its extra flags. Paths are
 * as the node sees them (join them with `root` to read). Pass the profile to `effectiveArgs` to
 * get a component's flags wherever they live.
 */
export async function detectKubernetes(root: string): Promise<KubeProfile> {
  const procs = await listProcesses(root);
  const evidence: string[] = [];
  let distribution: KubeDistribution = 'unknown';
  let role: KubeRole = 'unknown';
  let supervisor: KubeProcess | undefined;

  const k3s = supervisorOf(procs, 'k3s');
  const rke2 = supervisorOf(procs, 'rke2');
  if (rke2) {
    distribution = 'rke2';
    supervisor = rke2.proc;
    role = rke2.mode === 'server' ? 'control-plane' : 'worker';
    evidence.push(`process ${rke2.proc.pid}: rke2 ${rke2.mode}`);
  } else if (k3s) {
    distribution = 'k3s';
    supervisor = k3s.proc;
    role = k3s.mode === 'server' ? 'control-plane' : 'worker';
    evidence.push(`process ${k3s.proc.pid}: k3s ${k3s.mode}`);
  } else {
    // No supervisor running: the data dirs tell (rke2 before k3s: RKE2 nodes also carry /run/k3s paths).
    for (const name of ['rke2', 'k3s'] as const) {
      const server = await exists(root, `/var/lib/rancher/${name}/server`);
      const any = server || (await exists(root, `/var/lib/rancher/${name}/agent`)) || (await exists(root, `/etc/rancher/${name}`));
      if (any) {
        distribution = name;
        role = server ? 'control-plane' : 'worker';
        evidence.push(`/var/lib/rancher/${name} or /etc/rancher/${name} present, no ${name} process running`);
        break;
      }
    }
  }
  if (distribution === 'unknown') {
    const kubeadmFiles = ['/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '/var/lib/kubelet/kubeadm-flags.env', '/etc/kubernetes/kubelet.conf'];
    const seen: string[] = [];
    for (const f of kubeadmFiles) if (await exists(root, f)) seen.push(f);
    if (seen.length > 0) {
      distribution = 'kubeadm';
      evidence.push(`kubeadm files: ${seen.join(', ')}`);
    }
  }

  const layout = layoutFor(distribution);
  const components = {} as Record<KubeComponent, ComponentProfile>;
  for (const c of KUBE_COMPONENTS) {
    const spec = layout.components[c];
    const process = spec.runs === 'embedded' ? supervisor : findProcess(procs, spec.processNames);
    components[c] = { ...spec, ...(process ? { process } : {}) };
  }
  // The kubelet's config file is wherever its --config points.
  const kubeletProc = components.kubelet.runs === 'process' ? components.kubelet.process : undefined;
  if (kubeletProc) {
    const cfg = parseFlags(kubeletProc.argv).get('config');
    if (cfg) {
      components.kubelet.configFile = cfg;
      components.kubelet.configFormat = 'yaml';
      layout.paths.kubeletConfig = cfg;
    }
  }
  // etcd may be pointed at a YAML config (RKE2) and a data dir elsewhere.
  const etcdProc = components.etcd.runs === 'process' ? components.etcd.process : undefined;
  if (etcdProc) {
    const f = parseFlags(etcdProc.argv);
    const cfg = f.get('config-file');
    if (cfg) {
      components.etcd.configFile = cfg;
      components.etcd.configFormat = 'yaml';
    }
    const dataDir = f.get('data-dir');
    if (dataDir) layout.paths.etcdDataDir = dataDir;
  }

  if (distribution === 'kubeadm' || distribution === 'unknown') {
    const hasCP = components.apiserver.process !== undefined || (await exists(root, '/etc/kubernetes/manifests/kube-apiserver.yaml'));
    if (hasCP) role = 'control-plane';
    else if (components.kubelet.process || distribution === 'kubeadm') role = 'worker';
    if (components.apiserver.process) evidence.push(`process ${components.apiserver.process.pid}: kube-apiserver`);
    if (components.kubelet.process) evidence.push(`process ${components.kubelet.process.pid}: kubelet`);
    if (distribution === 'unknown' && role !== 'unknown') evidence.push('Kubernetes processes without a known layout: CIS reference (kubeadm) paths assumed');
  }

  let datastore: KubeProfile['datastore'] = 'none';
  if (role === 'control-plane') {
    if (distribution === 'k3s') {
      datastore = (await exists(root, '/var/lib/rancher/k3s/server/db/etcd')) ? 'etcd' : (await exists(root, '/var/lib/rancher/k3s/server/db/state.db')) ? 'kine' : 'external';
    } else {
      datastore = components.etcd.process || (await exists(root, layout.paths.etcdDataDir ?? '/var/lib/etcd')) ? 'etcd' : 'external';
    }
  }
  if (datastore !== 'etcd') delete layout.paths.etcdDataDir;

  return {
    distribution,
    role,
    evidence,
    ...(supervisor ? { supervisor } : {}),
    datastore,
    etcdDataDirOwner: distribution === 'k3s' ? 'root:root' : 'etcd:etcd',
    paths: layout.paths,
    components,
  };
}
