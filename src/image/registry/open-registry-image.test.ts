/**
 * openRegistryImage against a real registry (Debian's docker-registry, distribution 2.8) on
 * 127.0.0.1, with the fixture images pushed by skopeo. Faults come from a node:http proxy in
 * front of the real registry. Digests are those of shared/fixtures/images/README.md.
 */
import { createHash } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { MEDIA } from '../manifest.js';
import type { ResolvedImage } from '../types.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../../../test/helpers/fault-proxy.js';
import { startForwardProxy } from '../../../test/helpers/http-proxy.js';
import { closeServer, listen, trackSockets } from '../../../test/helpers/net.js';
import { fetchLoopback, startRegistry, type StartedRegistry } from '../../../test/helpers/registry.js';
import { openRegistryImage, type RegistryImageOptions } from './open-registry-image.js';

const APP = {
  manifest: 'sha256:4d79cde1375a14cf3071ad4b104fe4ca8ec5cc6a3e94299280af0ff645653b9e',
  config: 'sha256:4928ee92ad1892c5a93bbaacf5176f6ee9d0aa1a1f2ba9138fb3846b9672ebf2',
  layers: [
    'sha256:e71e5580416658d08c4e6b9c6df31d466f6fdb3f2ce21ae04dacec5ed1b2e32e',
    'sha256:99cf3569dde9ee1eab7f227db2f3dba5f50b2e7b7b6df1c47a126a865c44514d',
    'sha256:af22ca65e0a69b9753065ab6a3638ecb01958738767089af03717d635238df25',
    'sha256:b487e646aab70047c7f979da119ff0d36b1d3971ed8171b455260b6a2c95063c',
  ],
  diffIds: [
    'sha256:ce866edf9baf7c9a68a05a461bdc656e1472e57244787fdb82a039f4ee1137be',
    'sha256:331b2a57706279aacc2430ecb11aaf417a953320f98cb5896873270742270640',
    'sha256:5374cc73871ef4c29e5734ce703cd1afbdbc01f8c64ec7cd27ad2ae336c13fa7',
    'sha256:5df78b8aa9c67c6b05c9a58d6a2d72c8e5dab16a16e491723a61f7e4f8621be7',
  ],
};
const DEBIAN12 = { manifest: 'sha256:73b6d5f4836e93e054f74cbd30ab5ff4d518477e6fa3425a63c81f4c8c58550a', config: 'sha256:2e4b8ed1eec446049008dddbe2242fd4ba03c189eaf7da8ce4af78454f79c98b' };
const ALPINE = {
  config: 'sha256:2e3fc514c4846b1e8866b0c474e89b6eb589c2b920db08465a5c05b2a61ed31a',
  layer: 'sha256:2b6e459aaa37d416073068537489cbd2d233474a860f1f18fc8b61d3489f6bec',
};
const FAST: RegistryImageOptions = { insecure: true, retryBaseMs: 20 };

async function sha256Of(stream: Readable): Promise<{ digest: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, bytes };
}

async function vigilError(p: Promise<unknown>): Promise<VigilError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    return e as VigilError;
  }
  throw new Error('expected a VigilError, got success');
}

/** Opens, runs `fn`, always closes. */
async function withImage<T>(ref: string, opts: RegistryImageOptions, fn: (img: ResolvedImage) => Promise<T>): Promise<T> {
  const img = await openRegistryImage(ref, opts);
  try {
    return await fn(img);
  } finally {
    await img.close();
  }
}

describe('plain HTTP registry', () => {
  let reg: StartedRegistry;
  let indexDigest: string;
  let listDigest: string;

  beforeAll(async () => {
    reg = await startRegistry();
    await reg.push('app', 'demo/app:1');
    await reg.push('app', 'demo/app:v2s2', { format: 'v2s2' });
    await reg.push('alpine-fake', 'demo/alpine:1');
    await reg.push('debian12', 'demo/multi:debian12');
    await reg.push('app', 'demo/multi:app');
    await reg.push('app', 'demo/multi:app-v2s2', { format: 'v2s2' });
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        { mediaType: MEDIA.ociManifest, digest: DEBIAN12.manifest, size: 350, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: MEDIA.ociManifest, digest: APP.manifest, size: 825, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    };
    indexDigest = await reg.putManifest('demo/multi', 'multi', JSON.stringify(index), MEDIA.ociIndex);
    const v2s2 = await fetchLoopback(`${reg.url}/v2/demo/multi/manifests/app-v2s2`, { headers: { accept: MEDIA.dockerManifest } });
    const list = {
      schemaVersion: 2,
      mediaType: MEDIA.dockerList,
      manifests: [
        { mediaType: MEDIA.dockerManifest, digest: v2s2.headers['docker-content-digest'], size: Buffer.byteLength(v2s2.body), platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: MEDIA.dockerManifest, digest: v2s2.headers['docker-content-digest'], size: Buffer.byteLength(v2s2.body), platform: { os: 'linux', architecture: 'ppc64le' } },
      ],
    };
    listDigest = await reg.putManifest('demo/multi', 'list', JSON.stringify(list), MEDIA.dockerList);
  });
  afterAll(async () => {
    await reg?.stop();
  });

  test('OCI manifest: digests, config, layers and their bytes match the fixture', async () => {
    await withImage(`${reg.host}/demo/app:1`, FAST, async (img) => {
      expect(img.name).toBe(`${reg.host}/demo/app:1`);
      expect(img.manifestDigest).toBe(APP.manifest);
      expect(img.configDigest).toBe(APP.config);
      expect(img.platform).toBe('linux/amd64');
      expect(img.config.config?.WorkingDir).toBe('/app');
      expect(img.repoTags).toEqual([`${reg.host}/demo/app:1`]);
      expect(img.repoDigests).toEqual([`${reg.host}/demo/app@${APP.manifest}`]);
      expect(img.layers.map((l) => [l.index, l.digest, l.diffId, l.mediaType])).toEqual(
        APP.layers.map((d, i) => [i, d, APP.diffIds[i], 'application/vnd.oci.image.layer.v1.tar+gzip']),
      );
      for (const layer of img.layers) {
        const got = await sha256Of(await layer.open());
        expect(got).toEqual({ digest: layer.digest, bytes: layer.size });
      }
    });
  });

  test('by digest, and tag@digest', async () => {
    for (const ref of [`${reg.host}/demo/app@${APP.manifest}`, `${reg.host}/demo/app:1@${APP.manifest}`]) {
      await withImage(ref, FAST, async (img) => {
        expect(img.manifestDigest).toBe(APP.manifest);
        expect(img.repoDigests).toEqual([`${reg.host}/demo/app@${APP.manifest}`]);
      });
    }
  });

  test('Docker v2s2 media types: same config and layer blobs', async () => {
    await withImage(`${reg.host}/demo/app:v2s2`, FAST, async (img) => {
      expect(img.configDigest).toBe(APP.config);
      expect(img.manifestDigest).not.toBe(APP.manifest);
      expect(img.layers.map((l) => l.digest)).toEqual(APP.layers);
      expect(new Set(img.layers.map((l) => l.mediaType))).toEqual(new Set(['application/vnd.docker.image.rootfs.diff.tar.gzip']));
      expect(await sha256Of(await img.layers[3]!.open())).toMatchObject({ digest: APP.layers[3] });
    });
  });

  test.each`
    platform           | config             | manifest
    ${undefined}       | ${APP.config}      | ${APP.manifest}
    ${'linux/amd64'}   | ${APP.config}      | ${APP.manifest}
    ${'linux/arm64'}   | ${DEBIAN12.config} | ${DEBIAN12.manifest}
    ${'linux/arm64/v8'} | ${DEBIAN12.config} | ${DEBIAN12.manifest}
  `('OCI index, platform $platform → $manifest', async ({ platform, config, manifest }) => {
    await withImage(`${reg.host}/demo/multi:multi`, { ...FAST, platform }, async (img) => {
      expect(img.configDigest).toBe(config);
      expect(img.manifestDigest).toBe(manifest);
      expect(img.repoDigests).toEqual([`${reg.host}/demo/multi@${indexDigest}`]);
    });
  });

  test('Docker manifest list selects by platform; a missing platform is platform-not-found', async () => {
    await withImage(`${reg.host}/demo/multi:list`, FAST, async (img) => {
      expect(img.configDigest).toBe(APP.config);
      expect(img.repoDigests).toEqual([`${reg.host}/demo/multi@${listDigest}`]);
    });
    const e = await vigilError(openRegistryImage(`${reg.host}/demo/multi:list`, { ...FAST, platform: 'linux/s390x' }));
    expect(e.code).toBe('platform-not-found');
    expect(e.message).toContain('linux/ppc64le');
  });

  test.each`
    ref                             | code
    ${'demo/app:nope'}              | ${'not-found'}
    ${'demo/missing:1'}             | ${'not-found'}
    ${`demo/app@sha256:${'0'.repeat(64)}`} | ${'not-found'}
  `('$ref → $code, naming the repository and reference', async ({ ref, code }) => {
    const e = await vigilError(openRegistryImage(`${reg.host}/${ref}`, FAST));
    expect(e.code).toBe(code);
    expect(e.message).toContain(`${reg.host}/${ref}`);
  });

  test('without insecure, a plain-HTTP registry is not contacted over HTTP', async () => {
    const e = await vigilError(openRegistryImage(`${reg.host}/demo/app:1`, { retries: 0 }));
    expect(e.kind).toBe('network');
  });

  test('a blob corrupted on the registry disk fails with digest-mismatch (layer stream, then config)', async () => {
    // Same length, one byte changed: only the digest can tell.
    const flip = async (file: string, at: number): Promise<void> => {
      const fh = await openFile(file, 'r+');
      try {
        const b = Buffer.alloc(1);
        await fh.read(b, 0, 1, at);
        b[0] = b[0]! ^ 0xff;
        await fh.write(b, 0, 1, at);
      } finally {
        await fh.close();
      }
    };
    await flip(reg.blobPath(ALPINE.layer), 4096);
    await withImage(`${reg.host}/demo/alpine:1`, FAST, async (img) => {
      const e = await vigilError(sha256Of(await img.layers[0]!.open()));
      expect(e.code).toBe('digest-mismatch');
      expect(e.message).toContain(ALPINE.layer);
    });
    await flip(reg.blobPath(ALPINE.config), 10);
    const e = await vigilError(openRegistryImage(`${reg.host}/demo/alpine:1`, FAST));
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toContain(ALPINE.config);
  });

  describe('through a fault-injecting proxy', () => {
    const proxies: FaultProxy[] = [];
    const proxy = async (decide: (req: http.IncomingMessage, n: number) => Fault | undefined): Promise<FaultProxy> => {
      const p = await startFaultProxy(reg.url, decide);
      proxies.push(p);
      return p;
    };
    afterAll(async () => {
      for (const p of proxies) await p.close();
    });

    test('429 with Retry-After, then 503, then success', async () => {
      const p = await proxy((_req, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : n === 1 ? { status: 503 } : undefined));
      const t0 = Date.now();
      await withImage(`${p.host}/demo/app:1`, FAST, async (img) => expect(img.manifestDigest).toBe(APP.manifest));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(p.requests.slice(0, 3).map((r) => r.fault)).toEqual(['429', '503', undefined]);
    });

    test('5xx until retries run out → registry-error; 501 is not retried', async () => {
      const p = await proxy(() => ({ status: 502, body: 'bad gateway' }));
      const e = await vigilError(openRegistryImage(`${p.host}/demo/app:1`, { ...FAST, retries: 2 }));
      expect(e.code).toBe('registry-error');
      expect(e.message).toContain('502');
      expect(p.requests).toHaveLength(3);

      const q = await proxy(() => ({ status: 501 }));
      expect((await vigilError(openRegistryImage(`${q.host}/demo/app:1`, FAST))).code).toBe('registry-error');
      expect(q.requests).toHaveLength(1);
    });

    test('connection resets are retried', async () => {
      const p = await proxy((_req, n) => (n < 2 ? 'reset' : undefined));
      await withImage(`${p.host}/demo/app:1`, FAST, async (img) => expect(img.configDigest).toBe(APP.config));
    });

    test('a registry that never answers → timeout', async () => {
      const p = await proxy(() => 'hang');
      const t0 = Date.now();
      const e = await vigilError(openRegistryImage(`${p.host}/demo/app:1`, { ...FAST, timeoutMs: 300, retries: 1 }));
      expect(e.code).toBe('timeout');
      expect(e.kind).toBe('network');
      expect(Date.now() - t0).toBeLessThan(10_000);
    });

    test('401/403 are not retried and name the image', async () => {
      const p = await proxy(() => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }));
      const e = await vigilError(openRegistryImage(`${p.host}/demo/app:1`, { ...FAST, username: 'u', password: 'wrong' }));
      expect(e.code).toBe('unauthorized');
      expect(e.message).toContain(`${p.host}/demo/app:1`);
      expect(p.requests).toHaveLength(2); // anonymous, then once with credentials

      const q = await proxy(() => ({ status: 403, body: '{"errors":[{"code":"DENIED","message":"no pull for you"}]}' }));
      const d = await vigilError(openRegistryImage(`${q.host}/demo/app:1`, FAST));
      expect(d.code).toBe('denied');
      expect(d.message).toContain('no pull for you');
      expect(q.requests).toHaveLength(1);
    });

    test('an unknown WWW-Authenticate scheme → registry-auth', async () => {
      const p = await proxy(() => ({ status: 401, headers: { 'www-authenticate': 'Negotiate' } }));
      expect((await vigilError(openRegistryImage(`${p.host}/demo/app:1`, FAST))).code).toBe('registry-auth');
    });

    test('a Docker-Content-Digest header that does not match the body → digest-mismatch', async () => {
      const real = await fetchLoopback(`${reg.url}/v2/demo/app/manifests/1`, { headers: { accept: MEDIA.ociManifest } });
      const p = await proxy((req) =>
        req.url?.includes('/manifests/')
          ? { status: 200, headers: { 'content-type': MEDIA.ociManifest, 'docker-content-digest': DEBIAN12.manifest }, body: real.body }
          : undefined,
      );
      expect((await vigilError(openRegistryImage(`${p.host}/demo/app:1`, FAST))).code).toBe('digest-mismatch');
    });

    test('unknown manifest media type and oversized manifests are refused', async () => {
      const p = await proxy((req) =>
        req.url?.includes('/manifests/') ? { status: 200, headers: { 'content-type': 'application/vnd.example.thing+json' }, body: '{"schemaVersion":2,"mediaType":"application/vnd.example.thing+json"}' } : undefined,
      );
      expect((await vigilError(openRegistryImage(`${p.host}/demo/app:1`, FAST))).code).toBe('unknown-media-type');

      const q = await proxy(() => ({ status: 200, headers: { 'content-type': MEDIA.ociManifest }, body: ' '.repeat(5 * 1024 * 1024) }));
      expect((await vigilError(openRegistryImage(`${q.host}/demo/app:1`, FAST))).code).toBe('too-large');
    });

    test('blob redirects are followed without sending Authorization to the storage host', async () => {
      const storageSeen: http.IncomingHttpHeaders[] = [];
      const storage = http.createServer((req, res) => {
        storageSeen.push(req.headers);
        const digest = new URL(req.url ?? '/', 'http://x').searchParams.get('d') ?? '';
        const up = http.get(`${reg.url}/v2/demo/app/blobs/${digest}`, (u) => {
          res.writeHead(u.statusCode ?? 502, { 'content-length': u.headers['content-length'] ?? '' });
          u.pipe(res);
        });
        up.on('error', () => res.destroy());
      });
      const sockets = trackSockets(storage);
      const storagePort = await listen(storage);
      try {
        const p = await proxy((req): Fault | undefined => {
          if (!req.headers.authorization) return { status: 401, headers: { 'www-authenticate': 'Basic realm="fault-proxy"' } };
          const m = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '');
          return m ? { status: 307, headers: { location: `http://127.0.0.1:${storagePort}/store?d=${m[1]}&sig=abc` } } : undefined;
        });
        await withImage(`${p.host}/demo/app:1`, { ...FAST, username: 'u', password: 'p' }, async (img) => {
          expect(await sha256Of(await img.layers[3]!.open())).toMatchObject({ digest: APP.layers[3] });
        });
        expect(storageSeen.length).toBe(2); // config + one layer
        expect(storageSeen.every((h) => h.authorization === undefined)).toBe(true);
        expect(p.requests.filter((r) => r.headers.authorization?.startsWith('Basic ')).length).toBeGreaterThanOrEqual(3);
      } finally {
        await closeServer(storage, sockets);
      }
    });
  });

  test('HTTP_PROXY is honoured for a plain-HTTP registry, NO_PROXY bypasses it', async () => {
    const fwd = await startForwardProxy();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
    try {
      delete process.env.http_proxy;
      delete process.env.no_proxy;
      delete process.env.NO_PROXY;
      process.env.HTTP_PROXY = fwd.url;
      await withImage(`${reg.host}/demo/app:1`, FAST, async (img) => expect(img.configDigest).toBe(APP.config));
      const used = fwd.connects.length + fwd.forwarded.length;
      expect(used).toBeGreaterThan(0);
      process.env.NO_PROXY = '127.0.0.1';
      await withImage(`${reg.host}/demo/app:1`, FAST, async (img) => expect(img.configDigest).toBe(APP.config));
      expect(fwd.connects.length + fwd.forwarded.length).toBe(used);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await fwd.close();
    }
  });
});

describe('htpasswd basic auth over TLS with a private CA', () => {
  let reg: StartedRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'basic', tls: true });
    await reg.push('alpine-fake', 'demo/alpine:1');
  });
  afterAll(async () => {
    await reg?.stop();
  });

  test('credentials + CA file', async () => {
    await withImage(`${reg.host}/demo/alpine:1`, { username: reg.username, password: reg.password, caFiles: [reg.caFile!], retryBaseMs: 20 }, async (img) => {
      expect(img.configDigest).toBe(ALPINE.config);
      expect(await sha256Of(await img.layers[0]!.open())).toMatchObject({ digest: ALPINE.layer });
    });
  });

  test('unknown CA → tls error; insecure skips verification', async () => {
    const e = await vigilError(openRegistryImage(`${reg.host}/demo/alpine:1`, { username: reg.username, password: reg.password, retries: 0 }));
    expect(e.code).toBe('tls');
    await withImage(`${reg.host}/demo/alpine:1`, { username: reg.username, password: reg.password, insecure: true }, async (img) => expect(img.configDigest).toBe(ALPINE.config));
  });

  test.each`
    case                   | username    | password
    ${'wrong password'}    | ${'vigil'}  | ${'wrong'}
    ${'no credentials'}    | ${undefined} | ${undefined}
  `('$case → unauthorized', async ({ username, password }) => {
    const e = await vigilError(openRegistryImage(`${reg.host}/demo/alpine:1`, { username, password, caFiles: [reg.caFile!], retryBaseMs: 20 }));
    expect(e.code).toBe('unauthorized');
    expect(e.message).toContain(`${reg.host}/demo/alpine:1`);
  });

  test('HTTPS_PROXY: the registry is reached through a CONNECT tunnel', async () => {
    const fwd = await startForwardProxy();
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, https_proxy: process.env.https_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    try {
      for (const k of Object.keys(saved)) delete process.env[k];
      process.env.HTTPS_PROXY = fwd.url;
      await withImage(`${reg.host}/demo/alpine:1`, { username: reg.username, password: reg.password, caFiles: [reg.caFile!] }, async (img) => {
        expect(await sha256Of(await img.layers[0]!.open())).toMatchObject({ digest: ALPINE.layer });
      });
      expect(fwd.connects).toContain(reg.host);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await fwd.close();
    }
  });
});

describe('bearer token auth (registry auth: token, RS256 JWTs from a test token server)', () => {
  let reg: StartedRegistry;
  let plain: StartedRegistry;
  beforeAll(async () => {
    [reg, plain] = await Promise.all([startRegistry({ auth: 'token', tls: true }), startRegistry({ auth: 'token', tokenField: 'access_token' })]);
    await Promise.all([reg.push('app', 'demo/app:1'), plain.push('alpine-fake', 'demo/alpine:1')]);
  });
  afterAll(async () => {
    await reg?.stop();
    await plain?.stop();
  });

  test('token fetched once with basic credentials, cached for manifest, config and layers', async () => {
    const before = reg.tokenRequests();
    await withImage(`${reg.host}/demo/app:1`, { username: reg.username, password: reg.password, caFiles: [reg.caFile!] }, async (img) => {
      expect(img.manifestDigest).toBe(APP.manifest);
      expect(img.configDigest).toBe(APP.config);
      expect(await sha256Of(await img.layers[1]!.open())).toMatchObject({ digest: APP.layers[1] });
      expect(await sha256Of(await img.layers[3]!.open())).toMatchObject({ digest: APP.layers[3] });
    });
    expect(reg.tokenRequests() - before).toBe(1);
  });

  test('`access_token` responses, plain-HTTP registry and realm (insecure)', async () => {
    await withImage(`${plain.host}/demo/alpine:1`, { username: plain.username, password: plain.password, insecure: true }, async (img) => {
      expect(img.configDigest).toBe(ALPINE.config);
    });
  });

  test.each`
    case                | username     | password
    ${'wrong password'} | ${'vigil'}   | ${'wrong'}
    ${'no credentials'} | ${undefined} | ${undefined}
  `('$case → unauthorized from the token service', async ({ username, password }) => {
    const e = await vigilError(openRegistryImage(`${reg.host}/demo/app:1`, { username, password, caFiles: [reg.caFile!], retryBaseMs: 20 }));
    expect(e.code).toBe('unauthorized');
    expect(e.message).toContain('token service');
  });
});
