/**
 * Docker Engine API container inspect JSON → `ContainerInfo`, the only view container checks read.
 *
 * Accepts Docker's `GET /containers/{id}/json` (= `docker inspect`), Podman's compatible service
 * (same shape, Podman defaults) and `podman inspect`'s libpod shape. Normalisation rules:
 * - capabilities: upper-case, without `CAP_`, de-duplicated, sorted (`CAP_net_admin` → `NET_ADMIN`;
 *   `ALL` stays `ALL`). Podman lists `--cap-drop ALL` as the explicit list of dropped defaults.
 * - pidMode / utsMode / usernsMode: Podman's `private` becomes `''` (Docker's spelling of the
 *   default); `host`, `container:<id>`, `ns:<path>` are kept. ipcMode, networkMode and
 *   cgroupnsMode are kept as given (Docker itself says `private`, `shareable`, `default`, …).
 * - securityOpt: `key:value` becomes `key=value`; `no-new-privileges`, `no-new-privileges:true`
 *   and `no-new-privileges=true` become `no-new-privileges`.
 * - appArmorProfile: `unconfined` becomes `''`.
 * - nanoCpus: NanoCpus, else CpuQuota/CpuPeriod in nano-CPUs (period 100 ms when absent).
 * - pidsLimit: null, 0 and negative values become 0 (unlimited). Podman's default is a real
 *   limit (2048, containers.conf `pids_limit`) and is reported as such.
 * - restartPolicy.name: `''` becomes `no`.
 * - mounts: `Mounts`, else parsed from `HostConfig.Binds`.
 * - portBindings: `HostConfig.PortBindings` plus the bindings in `NetworkSettings.Ports`
 *   (`-P` publishes there only), de-duplicated.
 * Missing or mistyped fields get the Docker default; nothing here throws except on a document
 * that is not an object.
 */
import { readFile } from 'node:fs/promises';
import { VigilError } from '../../core/errors.js';
import type { ContainerInfo } from '../types.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return 0;
}
function bool(v: unknown): boolean {
  return v === true || v === 'true';
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `cap_net_admin`, `CAP_NET_ADMIN`, ` net_admin ` → `NET_ADMIN`. */
export function normalizeCapability(cap: string): string {
  const c = cap.trim().toUpperCase();
  return c.startsWith('CAP_') ? c.slice(4) : c;
}

function capabilities(v: unknown): string[] {
  return [...new Set(strings(v).map(normalizeCapability).filter((c) => c !== ''))].sort();
}

function nsMode(v: unknown): string {
  const s = str(v).trim();
  return s === 'private' ? '' : s;
}

const KV_SECURITY_OPTS = new Set(['apparmor', 'seccomp', 'label', 'systempaths', 'mask', 'unmask', 'proc-opts', 'no-new-privileges']);

/** One `--security-opt` value in its canonical spelling (see the module comment). */
export function normalizeSecurityOpt(opt: string): string {
  const s = opt.trim();
  const m = /^([a-z-]+)[:=](.*)$/s.exec(s);
  if (!m || !KV_SECURITY_OPTS.has(m[1]!)) return s;
  const key = m[1]!;
  const value = m[2]!;
  if (key === 'no-new-privileges') return value === 'true' || value === '' ? 'no-new-privileges' : `no-new-privileges=${value}`;
  return `${key}=${value}`;
}

function cpuNanos(hc: Obj): number {
  const nano = num(hc.NanoCpus);
  if (nano > 0) return nano;
  const quota = num(hc.CpuQuota);
  if (quota <= 0) return 0;
  const period = num(hc.CpuPeriod) > 0 ? num(hc.CpuPeriod) : 100_000;
  return Math.round((quota / period) * 1e9);
}

type Mount = ContainerInfo['mounts'][number];

function mountsOf(doc: Obj, hc: Obj): Mount[] {
  if (Array.isArray(doc.Mounts)) {
    return doc.Mounts.filter(isObj).map((m) => ({
      type: str(m.Type) || 'bind',
      source: str(m.Source) || str(m.Name),
      destination: str(m.Destination) || str(m.Target),
      mode: str(m.Mode),
      rw: m.RW === undefined ? !/(^|,)ro(,|$)/.test(str(m.Mode)) : bool(m.RW),
      propagation: str(m.Propagation),
    }));
  }
  // Older documents and hand-written files: "src:dst[:opts]".
  return strings(hc.Binds).map((b) => {
    const [source = '', destination = '', opts = ''] = b.split(':');
    const flags = opts.split(',').filter(Boolean);
    return {
      type: source.startsWith('/') ? 'bind' : 'volume',
      source,
      destination,
      mode: opts,
      rw: !flags.includes('ro'),
      propagation: flags.find((f) => /^r?(shared|slave|private)$/.test(f)) ?? '',
    };
  });
}

type PortBinding = ContainerInfo['portBindings'][number];

function portBindingsOf(doc: Obj, hc: Obj): PortBinding[] {
  const out: PortBinding[] = [];
  const seen = new Set<string>();
  for (const map of [hc.PortBindings, obj(doc.NetworkSettings).Ports]) {
    for (const [containerPort, list] of Object.entries(obj(map))) {
      if (!Array.isArray(list)) continue; // exposed but not published
      for (const b of list.filter(isObj)) {
        const hostIp = str(b.HostIp);
        const hostPort = str(b.HostPort) || (typeof b.HostPort === 'number' ? String(b.HostPort) : '');
        const key = `${containerPort}|${hostIp}|${hostPort}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ containerPort, hostIp, hostPort });
      }
    }
  }
  return out;
}

function devicesOf(hc: Obj): string[] {
  if (!Array.isArray(hc.Devices)) return [];
  return hc.Devices.map((d) => {
    if (typeof d === 'string') return d;
    const o = obj(d);
    const host = str(o.PathOnHost);
    if (!host) return '';
    return [host, str(o.PathInContainer) || host, str(o.CgroupPermissions)].filter(Boolean).join(':');
  }).filter((d) => d !== '');
}

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) out[k] = typeof val === 'string' ? val : String(val);
  return out;
}

function hasHealthcheck(v: unknown): boolean {
  const test = strings(obj(v).Test);
  return test.length > 0 && test[0] !== 'NONE';
}

function appArmorOf(doc: Obj, securityOpt: string[]): string {
  let profile = str(doc.AppArmorProfile).trim();
  if (!profile) profile = securityOpt.find((o) => o.startsWith('apparmor='))?.slice('apparmor='.length) ?? '';
  return profile === 'unconfined' ? '' : profile;
}

/** A Docker (or Podman) container inspect document → ContainerInfo. */
export function normalizeInspect(json: unknown): ContainerInfo {
  if (!isObj(json)) {
    throw new VigilError('bad-inspect', `a container inspect document must be a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
  }
  const hc = obj(json.HostConfig);
  const config = obj(json.Config);
  const state = obj(json.State);
  const restart = obj(hc.RestartPolicy);
  const securityOpt = strings(hc.SecurityOpt).map(normalizeSecurityOpt);
  const running = bool(state.Running) || str(state.Status) === 'running';
  const pidsLimit = num(hc.PidsLimit);
  const cgroupns = str(hc.CgroupnsMode).trim();
  return {
    id: str(json.Id) || str(json.ID),
    name: str(json.Name).replace(/^\//, ''),
    image: str(config.Image) || str(json.ImageName) || str(json.Image),
    pid: running ? Math.max(0, num(state.Pid)) : 0,
    running,
    user: str(config.User),
    privileged: bool(hc.Privileged),
    capAdd: capabilities(hc.CapAdd),
    capDrop: capabilities(hc.CapDrop),
    networkMode: str(hc.NetworkMode).trim(),
    pidMode: nsMode(hc.PidMode),
    ipcMode: str(hc.IpcMode).trim(),
    utsMode: nsMode(hc.UTSMode),
    usernsMode: nsMode(hc.UsernsMode),
    ...(cgroupns ? { cgroupnsMode: cgroupns } : {}),
    readonlyRootfs: bool(hc.ReadonlyRootfs),
    securityOpt,
    appArmorProfile: appArmorOf(json, securityOpt),
    memory: Math.max(0, num(hc.Memory)),
    nanoCpus: cpuNanos(hc),
    cpuShares: Math.max(0, num(hc.CpuShares)),
    pidsLimit: pidsLimit > 0 ? pidsLimit : 0,
    restartPolicy: { name: str(restart.Name) || 'no', maximumRetryCount: Math.max(0, num(restart.MaximumRetryCount)) },
    mounts: mountsOf(json, hc),
    portBindings: portBindingsOf(json, hc),
    devices: devicesOf(hc),
    healthcheck: hasHealthcheck(config.Healthcheck),
    env: strings(config.Env),
    labels: labelsOf(config.Labels),
    raw: json,
  };
}

/** `no-new-privileges` is set (any spelling Docker or Podman accepts). */
export function hasNoNewPrivileges(c: Pick<ContainerInfo, 'securityOpt'>): boolean {
  return c.securityOpt.includes('no-new-privileges');
}

/** The seccomp profile named in --security-opt (`unconfined`, a path), or undefined for the default. */
export function seccompProfile(c: Pick<ContainerInfo, 'securityOpt'>): string | undefined {
  return c.securityOpt.find((o) => o.startsWith('seccomp='))?.slice('seccomp='.length);
}

function checkInspectDoc(doc: unknown, where: string): void {
  if (!isObj(doc)) throw new VigilError('bad-inspect', `${where}: not a JSON object`);
  if (!isObj(doc.HostConfig) && !isObj(doc.State)) {
    const hint = isObj(doc.RootFS) ? ' (this looks like an image inspect; use a container inspect)' : '';
    throw new VigilError('bad-inspect', `${where}: not a container inspect document: no HostConfig or State${hint}`);
  }
}

/** A `docker inspect` / `podman inspect` output file (an array, or one object) → ContainerInfo[]. */
export async function loadInspectFile(file: string): Promise<ContainerInfo[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new VigilError('bad-inspect', `cannot read inspect file ${file}: ${(e as Error).message}`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new VigilError('bad-inspect', `${file}: malformed JSON: ${(e as Error).message}`, { cause: e });
  }
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  docs.forEach((d, i) => checkInspectDoc(d, Array.isArray(parsed) ? `${file}[${i}]` : file));
  return docs.map(normalizeInspect);
}
