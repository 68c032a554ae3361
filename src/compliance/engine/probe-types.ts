/** What a probe gives back, and what every probe is handed. */
import type { ContainerInfo } from '../types.js';
import type { Accounts } from './accounts.js';
import type { ProcessInfo } from './processes.js';
import type { TargetRoot } from './target-root.js';
import type { BenchmarkDefinition, EngineContext, Probe, ProcessSpec } from './types.js';

/** A component's flags assembled from its distribution's sources, as if it were a process. */
export interface VirtualProcess {
  argv: string[];
  sources: string[];
  errors: string[];
}

/** One thing a probe found: a file, a container, or the single value of a setting. */
export interface ProbeItem {
  /** For evidence: the file path, the container name. */
  name: string;
  value: unknown;
  /** Where the value came from (`/etc/docker/daemon.json: icc`, `dockerd flag --icc`, `default`). */
  source: string;
}

export type ProbeResult =
  | { status: 'ok'; items: ProbeItem[] }
  /** The input does not exist on this target (NOTE/INFO, never a failure). */
  | { status: 'missing'; reason: string }
  /** The engine cannot look (no container source, command not allowed): MANUAL. */
  | { status: 'unavailable'; reason: string }
  /** The input exists but is broken (malformed JSON): ERROR with the parse message. */
  | { status: 'error'; reason: string };

/** Shared, lazily read state of one run: each file and /proc are read once. */
export interface ProbeEnv {
  ctx: EngineContext;
  bench: BenchmarkDefinition;
  root: TargetRoot;
  accounts(): Promise<Accounts>;
  processes(): Promise<ProcessInfo[]>;
  /**
   * A Kubernetes component's flags when it has no process of its own (see
   * ProcessSpec.kubeComponent): a virtual command line, where it came from, and read errors.
   * Undefined when the component does not run on this node.
   */
  kubeArgs(component: NonNullable<ProcessSpec['kubeComponent']>): Promise<VirtualProcess | undefined>;
  /** Parsed config file (cached); throws ProbeError for a malformed file. */
  parsedFile(path: string, format: 'json' | 'yaml'): Promise<unknown | undefined>;
  containers: ContainerInfo[] | undefined;
}

export class ProbeError extends Error {}

export interface ProbeRunner<P extends Probe = Probe> {
  kind: P['kind'];
  /** True when the probe yields one item per thing (file glob, container) and the test runs per item. */
  iterates(p: P): boolean;
  run(p: P, env: ProbeEnv): Promise<ProbeResult>;
}

export function ok(value: unknown, source: string, name = ''): ProbeResult {
  return { status: 'ok', items: [{ name, value, source }] };
}
