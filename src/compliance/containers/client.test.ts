/** The client against hand-made unix-socket servers: unreachable, hanging, refusing, lying. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { DockerApiError, DockerClient, chooseApiVersion, listContainers, resolveDockerHost } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vigil-docker-client-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serve(name: string, handler: http.RequestListener): Promise<{ socket: string; close(): Promise<void>; paths: string[] }> {
  const socket = path.join(dir, name);
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('resolveDockerHost', () => {
  it('takes the option, then DOCKER_HOST, then the default socket', () => {
    expect(resolveDockerHost('unix:///tmp/p.sock', { DOCKER_HOST: 'unix:///x' })).toMatchObject({ kind: 'unix', socketPath: '/tmp/p.sock' });
    expect(resolveDockerHost(undefined, { DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toMatchObject({ kind: 'tcp', origin: 'http://127.0.0.1:2375' });
    expect(resolveDockerHost(undefined, {})).toMatchObject({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(resolveDockerHost('/run/docker.sock', {})).toMatchObject({ kind: 'unix', socketPath: '/run/docker.sock' });
    expect(() => resolveDockerHost('ssh://me@host', {})).toThrow(/not supported/);
    expect(() => resolveDockerHost('unix://relative.sock', {})).toThrow(/absolute path/);
  });

  it('asks for 1.41 unless the daemon cannot speak it', () => {
    expect(chooseApiVersion('1.41', '1.24')).toBe('1.41');
    expect(chooseApiVersion('1.47', '1.44')).toBe('1.44');
    expect(chooseApiVersion('1.40', '1.12')).toBe('1.40');
    expect(chooseApiVersion(undefined, undefined)).toBe('1.41');
  });
});

describe('DockerClient failures', () => {
  it('a socket that does not exist is docker-unreachable naming the path', async () => {
    const socket = path.join(dir, 'nobody.sock');
    const err = await listContainers({ dockerHost: `unix://${socket}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilError);
    expect(err).toMatchObject({ code: 'docker-unreachable', kind: 'network' });
    expect((err as Error).message).toContain(socket);
    expect((err as Error).message).toMatch(/ENOENT/);
    expect((err as Error).message).toMatch(/DOCKER_HOST or --docker-host/);
  });

  it('a socket file nobody listens on is docker-unreachable (ECONNREFUSED)', async () => {
    const socket = path.join(dir, 'stale.sock');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(socket, r));
    // Closing a listener unlinks its socket; recreate a dead socket file by binding and then
    // leaving only the file: a regular file at the path gives ECONNREFUSED as well.
    await new Promise<void>((r) => srv.close(() => r()));
    await writeFile(socket, '');
    const err = await listContainers({ dockerHost: socket }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'docker-unreachable' });
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('a daemon that never answers is docker-unreachable after the timeout', async () => {
    const s = await serve('hang.sock', () => undefined);
    const t0 = Date.now();
    const err = await new DockerClient({ dockerHost: `unix://${s.socket}`, timeoutMs: 300 }).version().catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err).toMatchObject({ code: 'docker-unreachable' });
    expect((err as Error).message).toMatch(/did not answer GET \/version within 300 ms/);
    await s.close();
  });

  it('an API error is docker-api with status and the daemon message; 5xx is retried', async () => {
    let infoCalls = 0;
    const s = await serve('api.sock', (req, res) => {
      if (req.url === '/version') return json(res, 200, { ApiVersion: '1.41', MinAPIVersion: '1.24' });
      if (req.url === '/v1.41/info') {
        infoCalls++;
        return infoCalls < 3 ? json(res, 503, { message: 'busy' }) : json(res, 200, { ServerVersion: 'x' });
      }
      if (req.url?.startsWith('/v1.41/containers/json')) return json(res, 200, [{ Id: 'gone' }, { Id: 'boom' }]);
      if (req.url === '/v1.41/containers/gone/json') return json(res, 404, { message: 'No such container: gone' });
      if (req.url === '/v1.41/containers/boom/json') return json(res, 500, { message: 'storage corrupted' });
      if (req.url === '/v1.41/containers/notjson/json') {
        res.writeHead(200);
        return res.end('<html>');
      }
      json(res, 404, { message: 'page not found' });
    });
    const client = new DockerClient({ dockerHost: `unix://${s.socket}`, retries: 2 });
    expect(await client.info()).toEqual({ ServerVersion: 'x' });
    expect(infoCalls).toBe(3);
    const gone = await client.inspectContainer('gone').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(DockerApiError);
    expect(gone).toMatchObject({ code: 'docker-api', status: 404 });
    expect((gone as Error).message).toMatch(/GET \/v1\.41\/containers\/gone\/json: 404 No such container: gone/);
    await expect(client.inspectContainer('notjson')).rejects.toMatchObject({ code: 'docker-api', message: expect.stringMatching(/not JSON/) });
    await client.close();
    // listContainers: a 404 (removed meanwhile) is left out, a 500 fails the listing.
    await expect(listContainers({ dockerHost: `unix://${s.socket}`, retries: 0 })).rejects.toMatchObject({ code: 'docker-api', status: 500, message: expect.stringMatching(/storage corrupted/) });
    expect(s.paths.filter((p) => p === '/version')).toHaveLength(2); // once per client
    await s.close();
  });
});
