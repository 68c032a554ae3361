/**
 * The shape of a benchmark definition (YAML under src/compliance/benchmarks/) once validated,
 * and of what the engine is given to run it. Definitions are data: adding a check, or a
 * benchmark version, never touches the engine.
 */
import type { CheckLevel, CheckType, ContainerInfo, Profile } from '../types.js';

/** A comparison operator, after kube-bench's (`eq`, `has`, `bitmask` …). */
export const OPERATORS = ['eq', 'noteq', 'gt', 'gte', 'lt', 'lte', 'has', 'nothave', 'regex', 'bitmask', 'valid_elements', 'set', 'unset'] as const;
export type Operator = (typeof OPERATORS)[number];

/** One comparison: the value of `probe` (optionally a `field` of it) against `value`. */
export interface Condition {
  /** Probe name (`as`); defaults to the check's first probe. */
  probe?: string;
  /** Dotted path into the probe's value (`mode`, `restartPolicy.name`, `HostConfig.Ulimits`). */
  field?: string;
  op: Operator;
  value?: unknown;
}

export type TestExpr = Condition | { and: TestExpr[] } | { or: TestExpr[] } | { not: TestExpr };

/** How a daemon is found and configured: its flags on the command line, its config file. */
export interface ProcessSpec {
  /** Executable base names (`dockerd`, `kubelet`, `k3s`). */
  names: string[];
  /** Flag that points at the config file (`--config-file`, `--config`). */
  configFlag?: string;
  /** Config files tried in order when the flag is absent, read under the root. */
  configPaths?: string[];
  configFormat?: 'json' | 'yaml';
  /**
   * A Kubernetes component: when no process of `names` runs, its flags come from the node's
   * distribution instead (k3s runs the API server, controller manager, scheduler and kubelet
   * inside `k3s server`; a stopped static pod has its manifest). `k3s` is deliberately not a
   * process name: its command line lacks the built-in flags k3s gives each component.
   */
  kubeComponent?: 'apiserver' | 'controller-manager' | 'scheduler' | 'kubelet' | 'proxy' | 'etcd';
}

interface ProbeBase {
  /** Name the test refers to; default `p<index>`. */
  as?: string;
}

export interface FileProbe extends ProbeBase {
  kind: 'file';
  /** Candidates, first existing wins (systemd units live in several places). */
  paths?: string[];
  /** A path read from a daemon setting (`tlscacert`), else `paths`. */
  pathFrom?: SettingRef;
  /** Every file below `paths[i]` (a directory) whose base name matches this glob (`*.crt`). */
  glob?: string;
}

export interface FileContentProbe extends ProbeBase {
  kind: 'file-content';
  paths: string[];
  /** The first line matching; the value is capture group 1, else the whole match. */
  regex: string;
}

export interface ConfigKeyProbe extends ProbeBase {
  kind: 'config-key';
  paths: string[];
  format: 'json' | 'yaml';
  key: string;
}

/** A daemon setting named both ways: a command-line flag and a config-file key. */
export interface SettingRef {
  process: string;
  /** Flag spellings (`--log-level`, `-l`). */
  flag?: string[];
  /** Dotted key in the config file. */
  key?: string;
  /**
   * `flag` (default): the command line wins, the config file is the fallback (dockerd, old
   * kubelets). `config`: the config file is read first and a flag, when given, overrides it.
   * Both find the same value when only one is set; they differ when both are.
   */
  precedence?: 'flag' | 'config';
  /** Flags that may repeat (`-H`, `--insecure-registry`): the value is a list. */
  multi?: boolean;
  /** The daemon's built-in default when neither sets it. */
  default?: unknown;
}

export interface SettingProbe extends ProbeBase, SettingRef {
  kind: 'setting';
}

export interface SysctlProbe extends ProbeBase {
  kind: 'sysctl';
  key: string;
}

export interface MountProbe extends ProbeBase {
  kind: 'mount';
  path: string;
  /** The mount point is a daemon setting (`data-root`) when set. */
  pathFrom?: SettingRef;
}

export interface ContainerProbe extends ProbeBase {
  kind: 'container';
}

export interface ImageProbe extends ProbeBase {
  kind: 'image';
}

export interface CommandProbe extends ProbeBase {
  kind: 'command';
  command: string;
  args: string[];
}

/** Is there an audit rule for a path: audit rule files under the root, or `auditctl -l`. */
export interface AuditRuleProbe extends ProbeBase {
  kind: 'audit-rule';
  paths: string[];
}

export type Probe = FileProbe | FileContentProbe | ConfigKeyProbe | SettingProbe | SysctlProbe | MountProbe | ContainerProbe | ImageProbe | CommandProbe | AuditRuleProbe;
export type ProbeKind = Probe['kind'];

export interface CheckDefinition {
  id: string;
  title: string;
  type: CheckType;
  profile: Profile;
  scored: boolean;
  automated: boolean;
  /** Set for checks a program cannot decide: the result is MANUAL with this reason. */
  manual?: string;
  audit?: Probe[];
  /** When false, the check does not apply: `unless.level` (INFO/NOTE) with `unless.reason`. */
  when?: TestExpr;
  unless?: { level: CheckLevel; reason: string };
  test?: TestExpr;
  /** Level when the test fails (default WARN; INFO for "review this" checks). */
  onFail?: CheckLevel;
  /** Level when an input is missing (default INFO). */
  onMissing?: CheckLevel;
  /** No test: the probe values are reported as evidence at this level. */
  report?: CheckLevel;
  remediation: string;
  tags: string[];
}

export interface BenchmarkDefinition {
  id: string;
  title: string;
  /** The target kind the report names. */
  target: 'host' | 'node';
  processes: Record<string, ProcessSpec>;
  sections: Record<string, string>;
  checks: CheckDefinition[];
}

/** What a run reads: a root, and the container/image views the caller already has. */
export interface EngineContext {
  /** Host root prefix; everything is read below it. */
  root: string;
  /** Containers to check (undefined: no container source was given). */
  containers?: ContainerInfo[];
  /** The container source failed (malformed inspect JSON): container checks are ERROR with this. */
  containersError?: string;
  /** An image config (Docker image JSON `config` + `history`) for image-field probes. */
  image?: Record<string, unknown>;
  /** Commands a `command` probe may run (`auditctl`). Empty by default: nothing runs. */
  allowCommands?: string[];
  /** Per-command time limit (ms). */
  commandTimeoutMs?: number;
}
