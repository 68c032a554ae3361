/**
 * The inventory of every fixture image must equal, exactly, what the fixtures README lists —
 * from the OCI layout, from a docker-archive made by skopeo, from a real registry, and (without
 * layers) from the unpacked root filesystem.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanDirectory, scanImage } from '../../src/engine/scan.js';
import { openImage, type ImageOptions } from '../../src/image/index.js';
import { FIXTURE_OCI, startRegistry, type StartedRegistry } from '../helpers/registry.js';
import { checkInventory, FIXTURE_TAGS } from './inventory-helpers.js';

const run = promisify(execFile);
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'vigil-e2e-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function scanRef(ref: string, opts: Parameters<typeof openImage>[1] = {}) {
  const img = await openImage(ref, opts);
  try {
    return await scanImage(img);
  } finally {
    await img.close();
  }
}

describe.each(FIXTURE_TAGS)('fixture %s', (tag) => {
  test('from the OCI layout: exact packages, layers, ownership and OS', async () => {
    const inv = await scanRef(`oci:${FIXTURE_OCI}:${tag}`);
    expect(checkInventory(inv, tag, { withLayers: true })).toEqual({ missing: [], extra: [], problems: [] });
    expect(inv.warnings).toEqual([]);
    expect(inv.artifact.layers?.every((l) => typeof l.createdBy === 'string' && l.createdBy.length > 0)).toBe(true);
  });

  test('from a docker-archive made by skopeo', async () => {
    const file = path.join(tmp, `${tag}.docker.tar`);
    await run('skopeo', ['copy', '-q', `oci:${FIXTURE_OCI}:${tag}`, `docker-archive:${file}:fixtures/${tag}:latest`]);
    const inv = await scanRef(`docker-archive:${file}`);
    expect(checkInventory(inv, tag, { withLayers: true })).toEqual({ missing: [], extra: [], problems: [] });
    const oci = await scanRef(`oci:${FIXTURE_OCI}:${tag}`);
    // Same image: same image ID and the same diffIds as the OCI layout.
    expect(inv.artifact.imageId).toBe(oci.artifact.imageId);
    expect(inv.artifact.layers?.map((l) => l.diffId)).toEqual(oci.artifact.layers?.map((l) => l.diffId));
    expect(inv.artifact.repoTags).toEqual([`docker.io/fixtures/${tag}:latest`]);
  });

  test('from the unpacked root filesystem (umoci unpack)', async () => {
    const bundle = path.join(tmp, `${tag}-bundle`);
    await run('umoci', ['raw', 'unpack', '--image', `${FIXTURE_OCI}:${tag}`, bundle]);
    const inv = await scanDirectory(bundle, 'rootfs');
    expect(checkInventory(inv, tag, { withLayers: false })).toEqual({ missing: [], extra: [], problems: [] });
    expect(inv.artifact.type).toBe('rootfs');
  });
});

describe('from a real registry (docker-registry on 127.0.0.1)', () => {
  let reg: StartedRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'basic', tls: true });
    for (const tag of FIXTURE_TAGS) await reg.push(tag, `fixtures/${tag}:1`);
    await reg.push('app', 'fixtures/app:v2s2', { format: 'v2s2' });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  test.each(FIXTURE_TAGS)('%s over HTTPS with basic auth and a custom CA', async (tag) => {
    const inv = await scanRef(`${reg.host}/fixtures/${tag}:1`, { username: reg.username!, password: reg.password!, caFiles: [reg.caFile!] });
    expect(checkInventory(inv, tag, { withLayers: true })).toEqual({ missing: [], extra: [], problems: [] });
    const oci = await scanRef(`oci:${FIXTURE_OCI}:${tag}`);
    expect(inv.artifact.digest).toBe(oci.artifact.digest);
  });

  test('app with zstd-compressed layers, from an OCI layout and from the registry', async () => {
    const layout = path.join(tmp, 'zstd');
    await run('skopeo', ['copy', '-q', '--dest-compress', '--dest-compress-format', 'zstd', `oci:${FIXTURE_OCI}:app`, `oci:${layout}:app`]);
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--dest-creds', `${reg.username}:${reg.password}`, `oci:${layout}:app`, `docker://${reg.host}/zstd/app:1`], { env: { ...process.env, HOME: tmp } });
    const sources: Array<[string, ImageOptions]> = [
      [`oci:${layout}:app`, {}],
      [`${reg.host}/zstd/app:1`, { username: reg.username!, password: reg.password!, caFiles: [reg.caFile!] }],
    ];
    for (const [ref, opts] of sources) {
      const img = await openImage(ref, opts);
      try {
        expect(img.layers.map((l) => l.mediaType)).toEqual(Array(4).fill('application/vnd.oci.image.layer.v1.tar+zstd'));
        const inv = await scanImage(img);
        expect(checkInventory(inv, 'app', { withLayers: true })).toEqual({ missing: [], extra: [], problems: [] });
      } finally {
        await img.close();
      }
    }
  });

  test('app pushed with Docker schema 2 media types', async () => {
    const inv = await scanRef(`${reg.host}/fixtures/app:v2s2`, { username: reg.username!, password: reg.password!, caFiles: [reg.caFile!] });
    expect(checkInventory(inv, 'app', { withLayers: true })).toEqual({ missing: [], extra: [], problems: [] });
  });
});
