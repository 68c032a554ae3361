/**
 * Compliance: the check engine, the benchmark definitions it runs, the report formats and
 * custom check scripts. The CLI (`vigil bench`), and later the controller and node agent,
 * use only what is exported here.
 */
import { loadBenchmark } from './engine/load-benchmark.js';
import { selectChecks, type CheckFilter } from './engine/filters.js';
import { runBenchmark } from './engine/run-benchmark.js';
import type { ComplianceReport, ContainerInfo } from './types.js';

export * from './types.js';
export { loadBenchmark, parseBenchmark, BENCHMARK_FILES } from './engine/load-benchmark.js';
export { runBenchmark, buildReport } from './engine/run-benchmark.js';
export { selectChecks, type CheckFilter } from './engine/filters.js';
export type { BenchmarkDefinition, CheckDefinition, EngineContext } from './engine/types.js';
export { getComplianceReporter, complianceFormats, type ComplianceReporter } from './report/index.js';
export { runCustomCheck, type CustomCheckOptions } from './custom/run-custom-check.js';

export interface DockerBenchOptions extends CheckFilter {
  root: string;
  /** From the Engine API or an inspect file; undefined: container checks say there is no source. */
  containers?: ContainerInfo[];
  allowCommands?: string[];
  /** `host`: the host-level checks only (types host and daemon). */
  scope?: 'all' | 'host';
}

/** CIS Docker Benchmark v1.6.0 against a host root (and its containers, when given). */
export async function runDockerBenchmark(o: DockerBenchOptions): Promise<ComplianceReport> {
  const bench = await loadBenchmark('cis-docker-1.6.0');
  let checks = selectChecks(bench.checks, o);
  if (o.scope === 'host') checks = checks.filter((c) => c.type === 'host' || c.type === 'daemon');
  const ctx = { root: o.root, allowCommands: o.allowCommands ?? [], ...(o.containers ? { containers: o.containers } : {}) };
  return runBenchmark(bench, ctx, { checks, targetType: 'host', targetName: o.root });
}
