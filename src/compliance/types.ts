/**
 * Compliance: benchmarks (CIS Docker, CIS Kubernetes), image checks and custom checks, all
 * producing the SPEC "JSON compliance report". Checks read a target through a host-root
 * prefix (`--root`), never the machine they run on, so the node agent and the controller can
 * run the same engine later.
 */

export const CHECK_LEVELS = ['PASS', 'WARN', 'INFO', 'NOTE', 'MANUAL', 'ERROR'] as const;
export type CheckLevel = (typeof CHECK_LEVELS)[number];

export const CHECK_TYPES = ['host', 'daemon', 'container', 'image', 'master', 'worker', 'etcd', 'policy'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export type Profile = 'Level 1' | 'Level 2';

/** One check's outcome (SPEC: results[]). */
export interface CheckResult {
  /** The section number exactly as the CIS document gives it ("2.2", "4.1.3"), or NeuVector's "I.4.1". */
  id: string;
  title: string;
  level: CheckLevel;
  type: CheckType;
  profile: Profile;
  scored: boolean;
  automated: boolean;
  /** What was found, where, and what was expected. */
  evidence: string[];
  remediation: string;
  /** Compliance regimes this check supports: HIPAA, PCI, GDPR, NIST. */
  tags: string[];
}

export type ComplianceTargetType = 'host' | 'container' | 'image' | 'node';

export interface ComplianceReport {
  schemaVersion: 1;
  /** "cis-docker-1.6.0", "cis-kubernetes-1.9.0", "vigil-image-1", "custom" … */
  benchmark: string;
  target: { type: ComplianceTargetType; name: string; root?: string };
  results: CheckResult[];
  summary: Record<CheckLevel, number>;
}

export function emptyComplianceSummary(): Record<CheckLevel, number> {
  return { PASS: 0, WARN: 0, INFO: 0, NOTE: 0, MANUAL: 0, ERROR: 0 };
}

/**
 * A running (or stopped) container, normalised from the Docker Engine API's inspect JSON
 * (Podman's compatible service gives the same shape). Container checks read only this.
 */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  /** Process id on the host (0 when not running): its root is /proc/<pid>/root. */
  pid: number;
  running: boolean;
  user: string;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  networkMode: string;
  pidMode: string;
  ipcMode: string;
  utsMode: string;
  usernsMode: string;
  cgroupnsMode?: string;
  readonlyRootfs: boolean;
  securityOpt: string[];
  /** AppArmor profile name ('' = none/unconfined). */
  appArmorProfile: string;
  /** bytes; 0 = unlimited */
  memory: number;
  /** NanoCPUs or CpuQuota/CpuPeriod expressed as CPU shares; 0 = unlimited */
  nanoCpus: number;
  cpuShares: number;
  pidsLimit: number;
  restartPolicy: { name: string; maximumRetryCount: number };
  mounts: Array<{ type: string; source: string; destination: string; mode: string; rw: boolean; propagation: string }>;
  /** "80/tcp" → host bindings */
  portBindings: Array<{ containerPort: string; hostIp: string; hostPort: string }>;
  devices: string[];
  healthcheck: boolean;
  env: string[];
  labels: Record<string, string>;
  /** The raw inspect document, for checks that need a field not normalised here. */
  raw: unknown;
}
