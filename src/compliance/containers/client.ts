/**
 * A small Docker Engine API client (the read-only calls container checks need) over a unix socket
 * or plain tcp. Podman's `podman system service` answers the same API (v1.41).
 *
 *   const docker = new DockerClient({ dockerHost: 'unix:///tmp/podman.sock' });
 *   const ids = await docker.listContainers(true);
 *   const doc = await docker.inspectContainer(ids[0].Id);
 *   await docker.close();
 *
 * Endpoint: `dockerHost` option (`--docker-host`), else `DOCKER_HOST`, else
 * `unix:///var/run/docker.sock`. TLS (`DOCKER_TLS_VERIFY`) and ssh:// are not supported.
 */
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { VigilError, isVigilError } from '../../core/errors.js';
import { backoffDelay, isRetriableStatus } from '../../core/retry.js';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** The API version asked for when the daemon allows it (Podman's compat service speaks 1.41). */
export const PREFERRED_API_VERSION = '1.41';
export const DEFAULT_DOCKER_TIMEOUT_MS = 15_000;
const CONNECT_TIMEOUT_MS = 5_000;
const BODY_CAP = 64 * 1024 * 1024;

export type DockerEndpoint = { kind: 'unix'; socketPath: string; display: string } | { kind: 'tcp'; origin: string; display: string };

/** `unix:///path`, `/path`, `tcp://host:port` or `http://host:port` → where to connect. */
export function resolveDockerHost(dockerHost?: string, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const spec = (dockerHost ?? env.DOCKER_HOST ?? '').trim() || DEFAULT_DOCKER_HOST;
  if (spec.startsWith('unix://')) {
    const socketPath = spec.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new VigilError('usage', `Docker host ${spec}: a unix socket needs an absolute path (unix:///var/run/docker.sock)`, { kind: 'usage' });
    return { kind: 'unix', socketPath, display: socketPath };
  }
  if (spec.startsWith('/')) return { kind: 'unix', socketPath: spec, display: spec };
  const m = /^(tcp|http):\/\/([^/]+)\/?$/.exec(spec);
  if (m) return { kind: 'tcp', origin: `http://${m[2]}`, display: spec };
  throw new VigilError('usage', `Docker host ${spec} is not supported: use unix:///path/to/docker.sock or tcp://host:port (no TLS, no ssh)`, { kind: 'usage' });
}

export interface DockerClientOptions {
  /** `--docker-host`; else DOCKER_HOST; else unix:///var/run/docker.sock. */
  dockerHost?: string;
  /** Per request: headers and body idle timeout (ms). */
  timeoutMs?: number;
  /** Extra tries on 429/5xx (GETs only; default 2). */
  retries?: number;
  env?: NodeJS.ProcessEnv;
}

/** One entry of `GET /containers/json` (only the fields used here are typed). */
export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  [key: string]: unknown;
}

/** A Docker API refusal: `status` is the HTTP status (404 = no such container). */
export class DockerApiError extends VigilError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('docker-api', message, { kind: 'input' });
    this.status = status;
  }
}

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

async function readBody(body: Readable, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > BODY_CAP) {
      body.destroy();
      throw new VigilError('docker-api', `${what}: answer larger than ${BODY_CAP} bytes`, { kind: 'input' });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The daemon's error text: Docker says {"message"}, Podman adds {"cause","response"}. */
function apiMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string' && j.message) return j.message;
  } catch {
    /* not JSON */
  }
  return text.trim().slice(0, 500) || '(empty body)';
}

export class DockerClient {
  readonly endpoint: DockerEndpoint;
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private apiVersion: Promise<string> | undefined;

  constructor(opts: DockerClientOptions = {}) {
    this.endpoint = resolveDockerHost(opts.dockerHost, opts.env);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS;
    this.retries = opts.retries ?? 2;
    const connectTimeout = Math.min(CONNECT_TIMEOUT_MS, this.timeoutMs);
    this.agent =
      this.endpoint.kind === 'unix'
        ? new Agent({ connect: { socketPath: this.endpoint.socketPath, timeout: connectTimeout }, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs })
        : new Agent({ connect: { timeout: connectTimeout }, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    // The host part is ignored on a unix socket but must be a valid origin.
    this.origin = this.endpoint.kind === 'unix' ? 'http://docker' : this.endpoint.origin;
  }

  private unreachable(e: unknown, path: string): VigilError {
    const code = errCode(e);
    const where = this.endpoint.kind === 'unix' ? `the Docker Engine API socket ${this.endpoint.socketPath}` : `the Docker Engine API at ${this.endpoint.display}`;
    const hint = 'is dockerd (or `podman system service`) running? set DOCKER_HOST or --docker-host';
    if (code && TIMEOUT_CODES.has(code)) {
      return new VigilError('docker-unreachable', `${where} did not answer GET ${path} within ${this.timeoutMs} ms (${code})`, { kind: 'network', cause: e });
    }
    const reason = e instanceof Error ? e.message : String(e);
    return new VigilError('docker-unreachable', `cannot reach ${where}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}; ${hint}`, { kind: 'network', cause: e });
  }

  /** GET a path (already versioned or not) and parse the JSON answer. */
  private async getJson(path: string): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      let status: number;
      let text: string;
      try {
        const res = await request(this.origin + path, { method: 'GET', dispatcher: this.agent, headers: { accept: 'application/json' } });
        status = res.statusCode;
        text = await readBody(res.body, `GET ${path}`);
      } catch (e) {
        if (isVigilError(e)) throw e;
        throw this.unreachable(e, path);
      }
      if (status >= 200 && status < 300) {
        try {
          return JSON.parse(text) as unknown;
        } catch (e) {
          throw new VigilError('docker-api', `GET ${path} on ${this.endpoint.display}: the answer is not JSON: ${(e as Error).message}`, { kind: 'input', cause: e });
        }
      }
      if (isRetriableStatus(status) && attempt < this.retries) {
        await sleep(backoffDelay(attempt, 100));
        continue;
      }
      throw new DockerApiError(status, `Docker Engine API at ${this.endpoint.display}: GET ${path}: ${status} ${apiMessage(text)}`);
    }
  }

  /**
   * The API version to put in paths: 1.41 when the daemon accepts it, else the nearest it does
   * (Docker 29 refuses anything below 1.44; old daemons top out below 1.41).
   */
  private version_(): Promise<string> {
    this.apiVersion ??= (async () => {
      const v = (await this.getJson('/version')) as { ApiVersion?: unknown; MinAPIVersion?: unknown };
      return chooseApiVersion(typeof v.ApiVersion === 'string' ? v.ApiVersion : undefined, typeof v.MinAPIVersion === 'string' ? v.MinAPIVersion : undefined);
    })();
    this.apiVersion.catch(() => {
      this.apiVersion = undefined;
    });
    return this.apiVersion;
  }

  private async api(path: string): Promise<unknown> {
    return this.getJson(`/v${await this.version_()}${path}`);
  }

  /** `GET /version` (unversioned path; every daemon answers it). */
  async version(): Promise<Record<string, unknown>> {
    const v = await this.getJson('/version');
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  }

  async info(): Promise<Record<string, unknown>> {
    const v = await this.api('/info');
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  }

  async listContainers(all = false): Promise<ContainerSummary[]> {
    const list = await this.api(`/containers/json?all=${all ? 'true' : 'false'}`);
    if (!Array.isArray(list)) throw new VigilError('docker-api', `GET /containers/json on ${this.endpoint.display}: expected an array`, { kind: 'input' });
    return list.filter((c): c is ContainerSummary => typeof c === 'object' && c !== null && typeof (c as { Id?: unknown }).Id === 'string');
  }

  /** The raw inspect document of one container (id or name). */
  async inspectContainer(idOrName: string): Promise<unknown> {
    return this.api(`/containers/${encodeURIComponent(idOrName)}/json`);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseVersion(v: string | undefined): number[] | undefined {
  const m = v ? /^(\d+)\.(\d+)/.exec(v) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
function cmp(a: number[], b: number[]): number {
  return a[0]! - b[0]! || a[1]! - b[1]!;
}

export function chooseApiVersion(max: string | undefined, min: string | undefined): string {
  const want = parseVersion(PREFERRED_API_VERSION)!;
  const hi = parseVersion(max);
  const lo = parseVersion(min);
  if (lo && cmp(lo, want) > 0) return `${lo[0]}.${lo[1]}`;
  if (hi && cmp(hi, want) < 0) return `${hi[0]}.${hi[1]}`;
  return PREFERRED_API_VERSION;
}
