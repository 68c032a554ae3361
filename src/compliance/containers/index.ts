/**
 * Containers for the CIS Docker 5.x checks: from a live Docker Engine API (Docker, or Podman's
 * compatible service) or from an inspect JSON file, always as normalised `ContainerInfo`s.
 */
import type { ContainerInfo } from '../types.js';
import { DockerApiError, DockerClient, type DockerClientOptions } from './client.js';
import { reconcileNamespaces } from './namespaces.js';
import { normalizeInspect } from './normalize.js';

export { DockerClient, DockerApiError, resolveDockerHost, chooseApiVersion, DEFAULT_DOCKER_HOST } from './client.js';
export type { DockerClientOptions, DockerEndpoint, ContainerSummary } from './client.js';
export { reconcileNamespaces } from './namespaces.js';
export { normalizeInspect, loadInspectFile, normalizeCapability, normalizeSecurityOpt, hasNoNewPrivileges, seccompProfile } from './normalize.js';

export interface InspectOptions extends DockerClientOptions {
  /** Inspect calls in flight at once (default 8). */
  concurrency?: number;
  /**
   * Where the daemon host's /proc is, to verify namespace modes against the kernel
   * (see namespaces.ts); default `/proc` for a unix socket, off for tcp; `false` turns it off.
   */
  procRoot?: string | false;
}

export interface ListContainersOptions extends InspectOptions {
  /** Stopped containers too (`docker ps -a`). */
  all?: boolean;
}

function procRootFor(client: DockerClient, opts: InspectOptions): string | undefined {
  if (opts.procRoot === false) return undefined;
  if (opts.procRoot !== undefined) return opts.procRoot;
  return client.endpoint.kind === 'unix' ? '/proc' : undefined;
}

async function toInfo(doc: unknown, procRoot: string | undefined): Promise<ContainerInfo> {
  const info = normalizeInspect(doc);
  return procRoot ? reconcileNamespaces(info, procRoot) : info;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * Lists the containers (running only unless `all`) and inspects each one. A container removed
 * between the list and its inspect (404) is left out; any other failure throws.
 */
export async function listContainers(opts: ListContainersOptions = {}): Promise<ContainerInfo[]> {
  const client = new DockerClient(opts);
  const procRoot = procRootFor(client, opts);
  try {
    const summaries = await client.listContainers(opts.all ?? false);
    const infos = await mapBounded(summaries, opts.concurrency ?? 8, async (s) => {
      try {
        return await toInfo(await client.inspectContainer(s.Id), procRoot);
      } catch (e) {
        if (e instanceof DockerApiError && e.status === 404) return undefined;
        throw e;
      }
    });
    return infos.filter((c): c is ContainerInfo => c !== undefined);
  } finally {
    await client.close();
  }
}

/** Inspects named containers (ids or names) → ContainerInfo[], in the given order. */
export async function inspectContainers(ids: readonly string[], opts: InspectOptions = {}): Promise<ContainerInfo[]> {
  const client = new DockerClient(opts);
  const procRoot = procRootFor(client, opts);
  try {
    return await mapBounded(ids, opts.concurrency ?? 8, async (id) => toInfo(await client.inspectContainer(id), procRoot));
  } finally {
    await client.close();
  }
}
