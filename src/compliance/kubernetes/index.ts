export { detectKubernetes } from './detect.js';
export { effectiveArgs, manifestArgv, readDistroConfig } from './effective-args.js';
export { layoutFor } from './distributions.js';
export { listProcesses, parseFlags } from './processes.js';
export type * from './types.js';
export { runKubernetesBench, KUBE_BENCHMARKS, KUBE_ROLES, type KubeBenchOptions } from './run-kube-bench.js';
