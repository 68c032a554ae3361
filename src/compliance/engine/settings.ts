/**
 * A daemon setting read the way the daemon reads it: command-line flag and config file.
 * kube-bench's false failures come from checking only one of the two, at a hard-coded path;
 * here both are read, the config file is the one the running process names, and the
 * definition says which wins when both are set.
 */
import { findProcess, flagValues } from './processes.js';
import { ProbeError, type ProbeEnv } from './probe-types.js';
import type { ProcessSpec, SettingRef } from './types.js';

export type SettingResult =
  | { status: 'ok'; value: unknown; source: string }
  | { status: 'missing'; reason: string }
  | { status: 'error'; reason: string };

export function getPath(obj: unknown, dotted: string): unknown {
  if (dotted === '' || dotted === '.') return obj;
  let cur: unknown = obj;
  // A key may itself contain dots (`log-opts` does not, but `syslog-address.x` might): try the
  // longest key first at each level.
  const parts = dotted.split('.');
  let i = 0;
  while (i < parts.length) {
    if (cur === null || typeof cur !== 'object') return undefined;
    let found = false;
    for (let j = parts.length; j > i; j--) {
      const key = parts.slice(i, j).join('.');
      if (Object.prototype.hasOwnProperty.call(cur, key)) {
        cur = (cur as Record<string, unknown>)[key];
        i = j;
        found = true;
        break;
      }
    }
    if (!found) return undefined;
  }
  return cur;
}

/** The daemon's command line: its own process, else (Kubernetes) the flags its distribution gives it. */
interface CommandLine {
  argv: string[];
  /** For evidence: `pid 1180`, or the virtual command line's sources. */
  where: string;
  /** Assembled from the distribution's sources, not read from a running process. */
  virtual?: boolean;
}

async function commandLine(spec: ProcessSpec, env: ProbeEnv): Promise<CommandLine | SettingResult | undefined> {
  const proc = findProcess(await env.processes(), spec.names);
  if (proc) return { argv: proc.argv, where: `pid ${proc.pid}` };
  if (!spec.kubeComponent) return undefined;
  const v = await env.kubeArgs(spec.kubeComponent);
  if (!v) return undefined;
  if (v.errors.length) return { status: 'error', reason: v.errors.join('; ') };
  return { argv: v.argv, where: v.sources.join(' + ') || 'no flags found', virtual: true };
}

export async function resolveSetting(ref: SettingRef, env: ProbeEnv): Promise<SettingResult> {
  const spec = env.bench.processes[ref.process];
  if (!spec) throw new ProbeError(`unknown process ${ref.process}`);
  const cl = await commandLine(spec, env);
  if (cl && 'status' in cl) return cl;
  const proc = cl;
  const flags = proc && ref.flag ? flagValues(proc.argv, ref.flag) : [];

  // The config file the running daemon was told to use, else the usual places. A flag-only
  // setting (a file's path from `--kubeconfig`) never parses it: a broken config file is the
  // business of the checks that read keys from it.
  let configPath: string | undefined;
  let config: unknown;
  const candidates: string[] = [];
  const named = proc && spec.configFlag ? flagValues(proc.argv, [spec.configFlag]).at(-1) : undefined;
  if (named) candidates.push(named);
  else candidates.push(...(spec.configPaths ?? []));
  const flagOnly = ref.key === undefined;
  if (!(flagOnly && proc)) {
    for (const c of candidates) {
      if (flagOnly) {
        if (await env.root.stat(c)) {
          configPath = c;
          break;
        }
        continue;
      }
      try {
        config = await env.parsedFile(c, spec.configFormat ?? 'json');
      } catch (e) {
        return { status: 'error', reason: (e as Error).message };
      }
      if (config !== undefined) {
        configPath = c;
        break;
      }
    }
  }
  if (!proc && configPath === undefined) {
    return { status: 'missing', reason: `${spec.names[0]} is not running on this root and no config file was found (${candidates.join(', ') || 'none known'})` };
  }
  const fromConfig = ref.key && config !== undefined ? getPath(config, ref.key) : undefined;
  const fromFlag = flags.length === 0 ? undefined : ref.multi ? flags : flags.at(-1);
  const flagSrc = () => `${spec.names[0]} flag ${ref.flag?.[0]} (${proc!.where})`;
  const cfgSrc = () => `${configPath}: ${ref.key}`;

  if (ref.multi && fromFlag !== undefined && fromConfig !== undefined) {
    const list = [...(fromFlag as string[]), ...(Array.isArray(fromConfig) ? fromConfig : [fromConfig])];
    return { status: 'ok', value: list, source: `${flagSrc()} and ${cfgSrc()}` };
  }
  const order: Array<[unknown, () => string]> = ref.precedence === 'config' ? [[fromConfig, cfgSrc], [fromFlag, flagSrc]] : [[fromFlag, flagSrc], [fromConfig, cfgSrc]];
  for (const [v, src] of order) if (v !== undefined) return { status: 'ok', value: v, source: src() };
  const where = [proc ? `${spec.names[0]} command line${proc.virtual ? ` (${proc.where})` : ''}` : undefined, configPath].filter(Boolean).join(' and ');
  const name = ref.key ?? ref.flag?.[0] ?? 'setting';
  return { status: 'ok', value: ref.default, source: `${name} not set in ${where}${ref.default === undefined ? '' : ` (default ${JSON.stringify(ref.default)})`}` };
}
