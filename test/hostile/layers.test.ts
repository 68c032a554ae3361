/**
 * Broken layer blobs: corrupt or truncated gzip and zstd, data that is no tar at all, a diffId
 * that does not match, and decompression bombs. Each must end the scan with exit 2 and one line.
 */
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openImage } from '../../src/image/index.js';
import { scanImage } from '../../src/engine/scan.js';
import { isVigilError } from '../../src/core/errors.js';
import { expectCleanFailure, runVigil, tempDir } from './helpers/cli.js';
import { useWorkspace } from './helpers/workspace.js';
import { baseEntries, compress, sha256, writeOciLayout, zstd, type LayerSpec } from './helpers/images.js';
import { makeTar } from './helpers/tar.js';

const ws = useWorkspace();
const fresh = ws.fresh;

const goodTar = (): Buffer => makeTar(baseEntries());

/** Flips bytes in the middle of a blob (keeps the magic so the compression is still sniffed). */
function corrupt(blob: Buffer): Buffer {
  const b = Buffer.from(blob);
  for (let i = Math.floor(b.length / 3); i < Math.floor(b.length / 3) + 16 && i < b.length; i++) b[i] = b[i]! ^ 0xa5;
  return b;
}

/** Repeats a compressible block so that corruption cannot hide in a tiny stream. */
function biggerTar(): Buffer {
  const filler = Array.from({ length: 40 }, (_, i) => ({ name: `usr/share/doc/f${i}`, data: `${i} `.repeat(2000) }));
  return makeTar([...baseEntries(), ...filler]);
}

describe('corrupt and truncated compression (CLI, exit 2)', () => {
  const cases: Array<[string, () => LayerSpec]> = [
    ['corrupt gzip', () => ({ tar: biggerTar(), blob: corrupt(gzipSync(biggerTar())) })],
    ['truncated gzip', () => ({ tar: biggerTar(), blob: gzipSync(biggerTar()).subarray(0, 300) })],
    ['gzip magic only', () => ({ tar: goodTar(), blob: Buffer.from([0x1f, 0x8b]) })],
    ['gzip with a bad trailer CRC', () => {
      const gz = Buffer.from(gzipSync(goodTar()));
      gz.writeUInt32LE(gz.readUInt32LE(gz.length - 8) ^ 1, gz.length - 8);
      return { tar: goodTar(), blob: gz };
    }],
    ['corrupt zstd', () => ({ tar: biggerTar(), blob: corrupt(zstd(biggerTar())), compression: 'zstd' })],
    ['truncated zstd', () => ({ tar: biggerTar(), blob: zstd(biggerTar()).subarray(0, 200), compression: 'zstd' })],
    ['zstd magic only', () => ({ tar: goodTar(), blob: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), compression: 'zstd' })],
    [
      // A frame header that claims a 2^41-byte window: a decoder that trusts it allocates terabytes.
      'zstd frame claiming a huge window',
      () => ({ tar: goodTar(), blob: Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8]), Buffer.alloc(64, 0x11)]), compression: 'zstd' }),
    ],
  ];
  it.each(cases)('%s', async (_name, make) => {
    const img = await writeOciLayout(fresh(), { layers: [make()] });
    const r = await runVigil(['scan', 'image', img.ref, '--format', 'json']);
    expectCleanFailure(r, /^(corrupt-layer|digest-mismatch)$/);
  });
});

describe('a layer that is not a tar (CLI, exit 2)', () => {
  const cases: Array<[string, Buffer, LayerSpec['compression']]> = [
    ['plain text', Buffer.from('this is not a tar archive, just some words\n'.repeat(50)), 'none'],
    ['a few bytes', Buffer.from('hi\n'), 'none'],
    ['random bytes, gzipped', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)), 'gzip'],
    ['JSON, zstd-compressed', Buffer.from(JSON.stringify({ not: 'a tar' }).repeat(40)), 'zstd'],
    ['a tar cut in the middle of an entry', goodTar().subarray(0, 700), 'gzip'],
    ['a tar header whose size runs past the end', makeTar([{ name: 'etc/os-release', data: 'ID=x\n', size: 1_000_000 }]).subarray(0, 1024), 'none'],
  ];
  it.each(cases)('%s', async (_name, data, compression) => {
    // The diffId is right: only the content is wrong.
    const img = await writeOciLayout(fresh(), { layers: [{ tar: data, compression: compression ?? 'gzip' }] });
    const r = await runVigil(['scan', 'image', img.ref, '--format', 'json']);
    expectCleanFailure(r, 'corrupt-layer');
  });

  it('an empty blob is an empty layer, not a failure', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }, { tar: Buffer.alloc(0), compression: 'none' }] });
    const r = await runVigil(['scan', 'image', img.ref, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('diffId checks (CLI, exit 2)', () => {
  it('a config whose diff_id does not match the layer', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar(), diffId: sha256('something else') }] });
    const line = expectCleanFailure(await runVigil(['scan', 'image', img.ref]), 'digest-mismatch');
    expect(line).toContain('image config says');
  });

  it('the second of three layers has the wrong diff_id', async () => {
    const t = goodTar();
    const img = await writeOciLayout(fresh(), { layers: [{ tar: t }, { tar: makeTar([{ name: 'x', data: 'x' }]), diffId: sha256(t) }, { tar: t, compression: 'zstd' }] });
    expectCleanFailure(await runVigil(['scan', 'image', img.ref]), 'digest-mismatch');
  });
});

describe('decompression bombs', () => {
  /** `copies` gzip members of 1 MiB of zeros each: gunzip reads them as one stream. */
  function zeroBomb(copies: number, mib = 1): Buffer {
    const member = gzipSync(Buffer.alloc(mib * 1024 * 1024), { level: 9 });
    return Buffer.concat(Array.from({ length: copies }, () => member));
  }

  it('the ratio guard stops a layer that expands too much (API, small limits)', async () => {
    const bomb = zeroBomb(8); // 8 MiB of zeros from ~8 KiB
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }, { tar: Buffer.alloc(0), blob: bomb, diffId: sha256('unknown') }] });
    const image = await openImage(img.ref);
    try {
      const err = await scanImage(image, { limits: { ratioFloor: 1024 * 1024, maxRatio: 100 } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isVigilError(err) && err.code).toBe('decompression-bomb');
    } finally {
      await image.close();
    }
  });

  it('the size guard stops a layer larger than maxLayerBytes (API)', async () => {
    const big = makeTar([{ name: 'big', data: Buffer.alloc(3 * 1024 * 1024, 0x41) }]);
    const img = await writeOciLayout(fresh(), { layers: [{ tar: big }] });
    const image = await openImage(img.ref);
    try {
      const err = await scanImage(image, { limits: { maxLayerBytes: 1024 * 1024 } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isVigilError(err) && err.code).toBe('layer-too-large');
    } finally {
      await image.close();
    }
  });

  it('a layer under the ratio floor is read normally with the same small limits (API)', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }] });
    const image = await openImage(img.ref);
    try {
      const inv = await scanImage(image, { limits: { ratioFloor: 1024 * 1024, maxRatio: 2 } });
      expect(inv.packages.map((p) => p.name).sort()).toEqual(['base-files', 'left-pad', 'libc6']);
    } finally {
      await image.close();
    }
  });

  it('the default guard stops ~1.1 GiB of zeros from ~1.1 MiB of gzip (CLI)', async () => {
    // 1100 gzip members of 1 MiB of zeros each; made in milliseconds, read at gunzip speed.
    const bomb = zeroBomb(1100);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const img = await writeOciLayout(fresh(), { layers: [{ tar: Buffer.alloc(0), blob: bomb, diffId: sha256('unknown') }] });
    const r = await runVigil(['scan', 'image', img.ref, '--format', 'json'], { timeoutMs: 30_000 });
    expectCleanFailure(r, 'decompression-bomb');
  }, 40_000);
});

describe('compressed blob under a mislabelled media type', () => {
  it('a gzip blob labelled as plain tar is still read (compression is sniffed)', async () => {
    const t = goodTar();
    const img = await writeOciLayout(fresh(), { layers: [{ tar: t, blob: compress(t, 'gzip'), mediaType: 'application/vnd.oci.image.layer.v1.tar' }] });
    const r = await runVigil(['scan', 'image', img.ref, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { packages: unknown[] }).packages).toHaveLength(3);
  });

  it('writes nothing in the working directory', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }] });
    const { dir: cwd, cleanup: done } = await tempDir();
    try {
      await writeFile(join(cwd, 'marker'), '');
      const r = await runVigil(['scan', 'image', img.ref, '--format', 'json'], { cwd });
      expect(r.code, r.stderr).toBe(0);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(cwd)).toEqual(['marker']);
    } finally {
      await done();
    }
  });
});

describe('one bad layer among large good ones', () => {
  it('the scan stops at the first failure instead of reading the other layers to their end', async () => {
    // Layer 2 is ~1000 MiB of zeros (under the bomb guard's 1 GiB floor): reading it takes seconds.
    const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    const big = Buffer.concat(Array.from({ length: 1000 }, () => member));
    const img = await writeOciLayout(fresh(), {
      layers: [
        { tar: biggerTar(), blob: corrupt(gzipSync(biggerTar())) },
        { tar: Buffer.alloc(0), blob: big, diffId: sha256('unchecked') },
      ],
    });
    const r = await runVigil(['scan', 'image', img.ref], { timeoutMs: 30_000 });
    expectCleanFailure(r, 'corrupt-layer');
    expect(r.ms, 'the large layer was read whole after the failure').toBeLessThan(1800);
  }, 40_000);

  it('gzip followed by trailing junk is refused cleanly', async () => {
    const t = goodTar();
    const img = await writeOciLayout(fresh(), { layers: [{ tar: t, blob: Buffer.concat([gzipSync(t), Buffer.from('trailing junk')]) }] });
    expectCleanFailure(await runVigil(['scan', 'image', img.ref]), 'corrupt-layer');
  });
});

