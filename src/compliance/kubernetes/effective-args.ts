/**
 * A component's flags wherever the distribution keeps them. For a component with its own
 * process the command line is the truth (the static pod manifest when it is not running). For
 * k3s' embedded components the flags are assembled the way k3s assembles them: its built-in
 * flags, then `<component>-arg` from /etc/rancher/k3s/config.yaml and config.yaml.d/*.yaml
 * (a key ending in `+` appends), then the supervisor's own `--<component>-arg` flags; a later
 * `name=value` replaces an earlier one.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { layoutFor } from './distributions.js';
import { flagValues, parseFlags } from './processes.js';
import type { EffectiveArgs, KubeComponent, KubeProfile } from './types.js';

async function readText(root: string, p: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(root, p), 'utf8');
  } catch {
    return undefined;
  }
}

/** config.yaml then its drop-ins, merged the way k3s/RKE2 merge them. */
export async function readDistroConfig(root: string, file: string): Promise<{ config: Record<string, unknown>; sources: string[]; errors: string[] }> {
  const config: Record<string, unknown> = {};
  const sources: string[] = [];
  const errors: string[] = [];
  const files = [file];
  try {
    const dir = `${file}.d`;
    const names = (await readdir(path.join(root, dir))).filter((n) => /\.ya?ml$/.test(n)).sort();
    files.push(...names.map((n) => `${dir}/${n}`));
  } catch {
    // no drop-in dir
  }
  for (const f of files) {
    const text = await readText(root, f);
    if (text === undefined) continue;
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      errors.push(`${f}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      errors.push(`${f}: not a YAML mapping`);
      continue;
    }
    sources.push(f);
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      if (k.endsWith('+')) {
        const key = k.slice(0, -1);
        config[key] = [...toList(config[key]), ...toList(v)];
      } else {
        config[k] = v;
      }
    }
  }
  return { config, sources, errors };
}

function toList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

/** Merge `name=value` (or `--name=value`) items into an ordered flag map. */
function apply(flags: Map<string, string>, items: string[]): void {
  for (const raw of items) {
    const item = raw.replace(/^--?/, '');
    const eq = item.indexOf('=');
    if (eq < 0) flags.set(item, 'true');
    else flags.set(item.slice(0, eq), item.slice(eq + 1));
  }
}

/** The flags of a static pod manifest's first container: `command` then `args`. */
export async function manifestArgv(root: string, manifest: string): Promise<{ argv?: string[]; error?: string }> {
  const text = await readText(root, manifest);
  if (text === undefined) return {};
  try {
    const doc = parseYaml(text) as { spec?: { containers?: Array<{ command?: unknown; args?: unknown }> } } | null;
    const c = doc?.spec?.containers?.[0];
    if (!c) return { error: `${manifest}: no container in the pod spec` };
    return { argv: [...toList(c.command), ...toList(c.args)] };
  } catch (e) {
    return { error: `${manifest}: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The derived flags k3s adds from its own config keys. */
function k3sDerived(component: KubeComponent, config: Record<string, unknown>, profile: KubeProfile): string[] {
  const d = '/var/lib/rancher/k3s';
  const on = (k: string): boolean => config[k] === true || config[k] === 'true';
  const out: string[] = [];
  if (component === 'apiserver') {
    if (on('secrets-encryption')) out.push(`--encryption-provider-config=${d}/server/cred/encryption-config.json`);
    if (profile.datastore === 'etcd') {
      out.push('--etcd-servers=https://127.0.0.1:2379', `--etcd-cafile=${d}/server/tls/etcd/server-ca.crt`, `--etcd-certfile=${d}/server/tls/etcd/client.crt`, `--etcd-keyfile=${d}/server/tls/etcd/client.key`);
    } else if (profile.datastore === 'kine') {
      out.push('--etcd-servers=unix://kine.sock');
    }
    if (typeof config['datastore-endpoint'] === 'string') out.push(`--etcd-servers=${config['datastore-endpoint']}`);
  }
  if (component === 'kubelet' && on('protect-kernel-defaults')) out.push('--protect-kernel-defaults=true');
  return out;
}

function finish(argv0: string, flags: Map<string, string>, sources: string[], errors: string[]): EffectiveArgs {
  const names = [...flags.keys()].sort();
  return { argv: [argv0, ...names.map((n) => `--${n}=${flags.get(n)}`)], flags, sources, errors };
}

const ARGV0: Record<KubeComponent, string> = {
  apiserver: 'kube-apiserver',
  'controller-manager': 'kube-controller-manager',
  scheduler: 'kube-scheduler',
  etcd: 'etcd',
  kubelet: 'kubelet',
  proxy: 'kube-proxy',
};

/**
 * The flags component `c` runs with on this node, or undefined when it does not run here
 * (a worker's API server; a k3s agent's etcd).
 */
export async function effectiveArgs(root: string, profile: KubeProfile, c: KubeComponent): Promise<EffectiveArgs | undefined> {
  const comp = profile.components[c];
  const errors: string[] = [];
  const flags = new Map<string, string>();
  if (comp.runs === 'process') {
    if (comp.process) {
      for (const [k, v] of parseFlags(comp.process.argv.slice(1))) flags.set(k, v);
      return finish(ARGV0[c], flags, [`pid ${comp.process.pid} (${comp.process.argv[0]})`], errors);
    }
    if (comp.manifest) {
      const m = await manifestArgv(root, comp.manifest);
      if (m.error) errors.push(m.error);
      if (m.argv) {
        for (const [k, v] of parseFlags(m.argv.slice(1))) flags.set(k, v);
        return finish(ARGV0[c], flags, [comp.manifest], errors);
      }
      if (m.error) return finish(ARGV0[c], flags, [], errors);
    }
    return undefined;
  }
  // embedded (k3s)
  const sup = profile.supervisor;
  const serverOnly = c === 'apiserver' || c === 'controller-manager' || c === 'scheduler' || c === 'etcd';
  if (serverOnly && profile.role !== 'control-plane') return undefined;
  if (c === 'etcd' && profile.datastore !== 'etcd') return undefined;
  const sources: string[] = [`${profile.distribution} built-in flags`];
  const node = ((await readText(root, '/etc/hostname')) ?? '').trim() || 'localhost';
  const builtin = (layoutFor(profile.distribution).builtinArgs?.[c] ?? []).map((a) => a.replace('${node}', node));
  apply(flags, builtin);
  let config: Record<string, unknown> = {};
  for (const f of profile.paths.distroConfig) {
    const r = await readDistroConfig(root, f);
    config = { ...config, ...r.config };
    sources.push(...r.sources);
    errors.push(...r.errors);
  }
  // Supervisor flags that are config keys (`--secrets-encryption`) count like config.yaml ones.
  if (sup) for (const [k, v] of parseFlags(sup.argv.slice(2))) if (!k.endsWith('-arg')) config[k] = v === 'true' ? true : v;
  apply(flags, k3sDerived(c, config, profile));
  if (comp.argsKey) {
    apply(flags, toList(config[comp.argsKey]));
    if (sup) {
      const fromCmd = flagValues(sup.argv, comp.argsKey);
      if (fromCmd.length > 0) sources.push(`pid ${sup.pid} (${sup.argv.slice(0, 2).join(' ')}) --${comp.argsKey}`);
      apply(flags, fromCmd);
    }
  }
  return finish(ARGV0[c], flags, sources, errors);
}
