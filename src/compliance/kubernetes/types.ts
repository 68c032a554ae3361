/**
 * What `detectKubernetes(root)` returns: which distribution laid out this node, and where each
 * CIS-relevant file and flag lives on it. Checks are written once against the CIS paths; the
 * profile is what keeps a correctly configured k3s or RKE2 node from failing them because
 * kubeadm's files are absent or its flags live somewhere else.
 */

export const KUBE_DISTRIBUTIONS = ['kubeadm', 'k3s', 'rke2', 'unknown'] as const;
export type KubeDistribution = (typeof KUBE_DISTRIBUTIONS)[number];

export const KUBE_COMPONENTS = ['apiserver', 'controller-manager', 'scheduler', 'etcd', 'kubelet', 'proxy'] as const;
export type KubeComponent = (typeof KUBE_COMPONENTS)[number];

export type KubeRole = 'control-plane' | 'worker' | 'unknown';

/** A process read from `<root>/proc/<pid>/cmdline`. */
export interface KubeProcess {
  pid: number;
  argv: string[];
}

/**
 * How a component runs on this distribution, hence where its flags come from:
 * - `process`: its own process (kubeadm static pods, RKE2 static pods, a kubelet under systemd);
 *   flags from its cmdline, the manifest when it is not running.
 * - `embedded`: inside the distribution's supervisor (`k3s server`); flags are the
 *   distribution's built-in ones, then `<component>-arg` lists in config.yaml (+ drop-ins),
 *   then the supervisor's own `--<component>-arg` flags.
 */
export type RunMode = 'process' | 'embedded';

export interface ComponentProfile {
  component: KubeComponent;
  runs: RunMode;
  /** Executable base names of the component's own process. */
  processNames: string[];
  /** The process found running, if any (for `embedded`, the supervisor). */
  process?: KubeProcess;
  /** Static pod manifest (kubeadm, RKE2) whose container `command` + `args` hold the flags. */
  manifest?: string;
  /** Config file read when a flag is absent: kubelet `--config`, etcd `--config-file`. */
  configFile?: string;
  configFormat?: 'yaml' | 'json';
  /** k3s/RKE2 config.yaml key holding extra flags (`kube-apiserver-arg`). */
  argsKey?: string;
}

export interface KubePaths {
  /** Static pod manifests dir (kubeadm /etc/kubernetes/manifests, RKE2 agent/pod-manifests). */
  manifestsDir?: string;
  /** PKI dir the CIS 1.1.19–1.1.21 checks walk. */
  pkiDir?: string;
  /** Admin kubeconfigs (kubeadm admin.conf + super-admin.conf; k3s/RKE2 cred/admin.kubeconfig). */
  adminKubeconfigs: string[];
  schedulerKubeconfig?: string;
  controllerManagerKubeconfig?: string;
  kubeletKubeconfig?: string;
  kubeletConfig?: string;
  /** systemd unit (or drop-in) that starts the kubelet; absent when the kubelet is embedded. */
  kubeletService?: string;
  proxyKubeconfig?: string;
  /** CA the kubelet trusts for client certificates. */
  kubeletClientCA?: string;
  etcdDataDir?: string;
  cniConfDir?: string;
  /** The distribution's own config files, in the order they are merged. */
  distroConfig: string[];
}

export interface KubeProfile {
  distribution: KubeDistribution;
  role: KubeRole;
  /** Why the distribution and role were chosen (files and processes seen). */
  evidence: string[];
  /** `k3s server` / `rke2 server` when running. */
  supervisor?: KubeProcess;
  /** Embedded etcd, kine (SQLite / external SQL) or none. */
  datastore: 'etcd' | 'kine' | 'external' | 'none';
  /** Owner CIS 1.1.12 should expect: embedded etcd runs as root inside k3s. */
  etcdDataDirOwner: 'etcd:etcd' | 'root:root';
  paths: KubePaths;
  components: Record<KubeComponent, ComponentProfile>;
}

/** A component's flags as the component sees them, and where each came from. */
export interface EffectiveArgs {
  /** argv[0] then `--name=value` for every flag, sorted by name. */
  argv: string[];
  /** flag name without dashes → value (last one wins). */
  flags: Map<string, string>;
  /** Human-readable sources, in merge order (`k3s built-in`, `/etc/rancher/k3s/config.yaml`, `pid 1180`). */
  sources: string[];
  /** Problems reading a source (a malformed config.yaml): reported, the rest still read. */
  errors: string[];
}
