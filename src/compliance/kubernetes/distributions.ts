/**
 * Per-distribution layouts: where kubeadm, k3s and RKE2 put the files and flags the CIS
 * Kubernetes Benchmark asks about. Learned from each project's defaults (kubeadm's generated
 * manifests, k3s' pkg/daemons/control and agent arguments, RKE2's pod-manifests and CIS
 * profile); the `unknown` layout uses the benchmark's own reference paths (kubeadm's).
 */
import type { ComponentProfile, KubeComponent, KubeDistribution, KubePaths } from './types.js';

export interface DistributionLayout {
  paths: KubePaths;
  components: Record<KubeComponent, Omit<ComponentProfile, 'process'>>;
  /** Flags the distribution itself passes to embedded components (k3s). `${node}` is the node name. */
  builtinArgs?: Partial<Record<KubeComponent, string[]>>;
}

const PROCESS_NAMES: Record<KubeComponent, string[]> = {
  apiserver: ['kube-apiserver', 'apiserver', 'hyperkube'],
  'controller-manager': ['kube-controller-manager', 'kube-controller', 'controller-manager'],
  scheduler: ['kube-scheduler', 'scheduler'],
  etcd: ['etcd'],
  kubelet: ['kubelet'],
  proxy: ['kube-proxy', 'proxy'],
};

function kubeadm(): DistributionLayout {
  const m = '/etc/kubernetes/manifests';
  const proc = (component: KubeComponent, manifest?: string): Omit<ComponentProfile, 'process'> => ({
    component,
    runs: 'process',
    processNames: PROCESS_NAMES[component],
    ...(manifest ? { manifest: `${m}/${manifest}` } : {}),
  });
  return {
    paths: {
      manifestsDir: m,
      pkiDir: '/etc/kubernetes/pki',
      adminKubeconfigs: ['/etc/kubernetes/admin.conf', '/etc/kubernetes/super-admin.conf'],
      schedulerKubeconfig: '/etc/kubernetes/scheduler.conf',
      controllerManagerKubeconfig: '/etc/kubernetes/controller-manager.conf',
      kubeletKubeconfig: '/etc/kubernetes/kubelet.conf',
      kubeletConfig: '/var/lib/kubelet/config.yaml',
      kubeletService: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
      proxyKubeconfig: '/var/lib/kube-proxy/kubeconfig.conf',
      kubeletClientCA: '/etc/kubernetes/pki/ca.crt',
      etcdDataDir: '/var/lib/etcd',
      cniConfDir: '/etc/cni/net.d',
      distroConfig: [],
    },
    components: {
      apiserver: proc('apiserver', 'kube-apiserver.yaml'),
      'controller-manager': proc('controller-manager', 'kube-controller-manager.yaml'),
      scheduler: proc('scheduler', 'kube-scheduler.yaml'),
      etcd: proc('etcd', 'etcd.yaml'),
      kubelet: { ...proc('kubelet'), configFile: '/var/lib/kubelet/config.yaml', configFormat: 'yaml' },
      proxy: proc('proxy'),
    },
  };
}

/** k3s and RKE2 share k3s' supervisor code, its data dir shape and its config.yaml keys. */
function rancher(name: 'k3s' | 'rke2'): DistributionLayout {
  const d = `/var/lib/rancher/${name}`;
  const tls = `${d}/server/tls`;
  const agent = `${d}/agent`;
  const paths: KubePaths = {
    pkiDir: tls,
    adminKubeconfigs: [`${d}/server/cred/admin.kubeconfig`, `/etc/rancher/${name}/${name}.yaml`],
    schedulerKubeconfig: `${d}/server/cred/scheduler.kubeconfig`,
    controllerManagerKubeconfig: `${d}/server/cred/controller.kubeconfig`,
    kubeletKubeconfig: `${agent}/kubelet.kubeconfig`,
    proxyKubeconfig: `${agent}/kubeproxy.kubeconfig`,
    kubeletClientCA: `${agent}/client-ca.crt`,
    etcdDataDir: `${d}/server/db/etcd`,
    cniConfDir: name === 'rke2' ? `${agent}/etc/cni/net.d` : `${agent}/etc/cni/net.d`,
    distroConfig: [`/etc/rancher/${name}/config.yaml`],
  };
  const argsKey: Record<KubeComponent, string> = {
    apiserver: 'kube-apiserver-arg',
    'controller-manager': 'kube-controller-manager-arg',
    scheduler: 'kube-scheduler-arg',
    etcd: 'etcd-arg',
    kubelet: 'kubelet-arg',
    proxy: 'kube-proxy-arg',
  };
  const etcdConfig = `${d}/server/db/etcd/config`;
  if (name === 'rke2') {
    // RKE2: static pods for the control plane, kubelet and etcd as real processes.
    paths.manifestsDir = `${agent}/pod-manifests`;
    const pod = (c: KubeComponent, file: string): Omit<ComponentProfile, 'process'> => ({
      component: c,
      runs: 'process',
      processNames: PROCESS_NAMES[c],
      manifest: `${agent}/pod-manifests/${file}`,
      argsKey: argsKey[c],
    });
    return {
      paths,
      components: {
        apiserver: pod('apiserver', 'kube-apiserver.yaml'),
        'controller-manager': pod('controller-manager', 'kube-controller-manager.yaml'),
        scheduler: pod('scheduler', 'kube-scheduler.yaml'),
        etcd: { ...pod('etcd', 'etcd.yaml'), configFile: etcdConfig, configFormat: 'yaml' },
        kubelet: { component: 'kubelet', runs: 'process', processNames: PROCESS_NAMES.kubelet, argsKey: argsKey.kubelet },
        proxy: pod('proxy', 'kube-proxy.yaml'),
      },
    };
  }
  // k3s: everything runs inside the `k3s server` (or `k3s agent`) process.
  const emb = (c: KubeComponent): Omit<ComponentProfile, 'process'> => ({
    component: c,
    runs: 'embedded',
    processNames: ['k3s'],
    argsKey: argsKey[c],
  });
  return {
    paths,
    components: {
      apiserver: emb('apiserver'),
      'controller-manager': emb('controller-manager'),
      scheduler: emb('scheduler'),
      etcd: { ...emb('etcd'), configFile: etcdConfig, configFormat: 'yaml' },
      kubelet: emb('kubelet'),
      proxy: emb('proxy'),
    },
    // What k3s passes itself (pkg/daemons/control/server.go, pkg/daemons/agent): the flags a
    // user never sees on a command line but that the components run with.
    builtinArgs: {
      apiserver: [
        '--advertise-port=6443',
        '--allow-privileged=true',
        '--anonymous-auth=false',
        `--api-audiences=https://kubernetes.default.svc.cluster.local,k3s`,
        '--authorization-mode=Node,RBAC',
        '--bind-address=127.0.0.1',
        `--cert-dir=${tls}/temporary-certs`,
        `--client-ca-file=${tls}/client-ca.crt`,
        `--egress-selector-config-file=${d}/server/etc/egress-selector-config.yaml`,
        '--enable-admission-plugins=NodeRestriction',
        '--enable-aggregator-routing=true',
        '--enable-bootstrap-token-auth=true',
        `--kubelet-certificate-authority=${tls}/server-ca.crt`,
        `--kubelet-client-certificate=${tls}/client-kube-apiserver.crt`,
        `--kubelet-client-key=${tls}/client-kube-apiserver.key`,
        '--profiling=false',
        `--proxy-client-cert-file=${tls}/client-auth-proxy.crt`,
        `--proxy-client-key-file=${tls}/client-auth-proxy.key`,
        `--requestheader-client-ca-file=${tls}/request-header-ca.crt`,
        '--secure-port=6444',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${tls}/service.key`,
        `--service-account-signing-key-file=${tls}/service.current.key`,
        '--service-cluster-ip-range=10.43.0.0/16',
        '--storage-backend=etcd3',
        `--tls-cert-file=${tls}/serving-kube-apiserver.crt`,
        `--tls-private-key-file=${tls}/serving-kube-apiserver.key`,
      ],
      'controller-manager': [
        '--allocate-node-cidrs=true',
        `--authentication-kubeconfig=${d}/server/cred/controller.kubeconfig`,
        `--authorization-kubeconfig=${d}/server/cred/controller.kubeconfig`,
        '--bind-address=127.0.0.1',
        '--cluster-cidr=10.42.0.0/16',
        `--kubeconfig=${d}/server/cred/controller.kubeconfig`,
        '--profiling=false',
        `--root-ca-file=${tls}/server-ca.crt`,
        '--secure-port=10257',
        `--service-account-private-key-file=${tls}/service.current.key`,
        '--use-service-account-credentials=true',
      ],
      scheduler: [
        `--authentication-kubeconfig=${d}/server/cred/scheduler.kubeconfig`,
        `--authorization-kubeconfig=${d}/server/cred/scheduler.kubeconfig`,
        '--bind-address=127.0.0.1',
        `--kubeconfig=${d}/server/cred/scheduler.kubeconfig`,
        '--profiling=false',
        '--secure-port=10259',
      ],
      etcd: [`--config-file=${etcdConfig}`],
      kubelet: [
        '--address=0.0.0.0',
        '--anonymous-auth=false',
        '--authentication-token-webhook=true',
        '--authorization-mode=Webhook',
        `--client-ca-file=${agent}/client-ca.crt`,
        '--cluster-dns=10.43.0.10',
        '--cluster-domain=cluster.local',
        '--fail-swap-on=false',
        '--healthz-bind-address=127.0.0.1',
        '--hostname-override=${node}',
        `--kubeconfig=${agent}/kubelet.kubeconfig`,
        `--pod-manifest-path=${agent}/pod-manifests`,
        '--read-only-port=0',
        '--serialize-image-pulls=false',
        `--tls-cert-file=${agent}/serving-kubelet.crt`,
        `--tls-private-key-file=${agent}/serving-kubelet.key`,
      ],
      proxy: [
        '--cluster-cidr=10.42.0.0/16',
        '--conntrack-max-per-core=0',
        '--healthz-bind-address=127.0.0.1',
        '--hostname-override=${node}',
        `--kubeconfig=${agent}/kubeproxy.kubeconfig`,
        '--proxy-mode=iptables',
      ],
    },
  };
}

export function layoutFor(d: KubeDistribution): DistributionLayout {
  switch (d) {
    case 'k3s':
      return rancher('k3s');
    case 'rke2':
      return rancher('rke2');
    case 'kubeadm':
    case 'unknown':
      return kubeadm();
  }
}
