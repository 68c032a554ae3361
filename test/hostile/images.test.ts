/**
 * Broken image structure, through the real CLI: blobs that do not match their digests, configs
 * that disagree with manifests, media types Vigil does not read, missing or garbage files, and
 * bad command lines. Every case is exit 2 with exactly one `vigil: <code>: <message>` line.
 */
import { describe, expect, it } from 'vitest';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expectCleanFailure, runVigil } from './helpers/cli.js';
import { useWorkspace } from './helpers/workspace.js';
import { MEDIA, addJsonBlob, baseEntries, makeDockerArchive, sha256, writeOciLayout, zstd } from './helpers/images.js';
import { makeTar } from './helpers/tar.js';

const ws = useWorkspace();
const fresh = ws.fresh;

const goodTar = (): Buffer => makeTar(baseEntries());
const good = (dir = fresh()) => writeOciLayout(dir, { layers: [{ tar: goodTar() }] });
const scan = (ref: string, ...extra: string[]) => runVigil(['scan', 'image', ref, '--format', 'json', ...extra]);

describe('sanity: the hand-made images are valid', () => {
  it('OCI layout scans with exit 0', async () => {
    const r = await scan((await good()).ref);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { packages: unknown[] }).packages).toHaveLength(3);
  });

  it('docker-archive scans with exit 0', async () => {
    const file = fresh() + '.tar';
    await writeFile(file, makeDockerArchive({ layers: [goodTar()] }));
    const r = await scan(`docker-archive:${file}`);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { packages: unknown[] }).packages).toHaveLength(3);
  });
});

describe('digests that do not match (OCI layout)', () => {
  it('the manifest blob was changed', async () => {
    const img = await good();
    const p = img.blobPath(img.manifestDigest);
    await writeFile(p, (await readFile(p, 'utf8')).replace('"schemaVersion":2', '"schemaVersion":2 '));
    expectCleanFailure(await scan(img.ref), 'digest-mismatch');
  });

  it('the config blob was changed', async () => {
    const img = await good();
    const p = img.blobPath(img.configDigest);
    await writeFile(p, (await readFile(p, 'utf8')).replace('amd64', 'arm64'));
    expectCleanFailure(await scan(img.ref), 'digest-mismatch');
  });

  it('a layer blob was changed (still valid gzip of a valid tar)', async () => {
    const img = await good();
    await writeFile(img.blobPath(img.layerDigests[0]!), gzipSync(makeTar([...baseEntries(), { name: 'extra', data: 'x' }])));
    expectCleanFailure(await scan(img.ref), 'digest-mismatch');
  });

  it('a layer blob is missing', async () => {
    const img = await good();
    await rm(img.blobPath(img.layerDigests[0]!));
    expectCleanFailure(await scan(img.ref));
  });

  it('the config blob is missing', async () => {
    const img = await good();
    await rm(img.blobPath(img.configDigest));
    expectCleanFailure(await scan(img.ref), 'not-found');
  });

  it('a digest that tries to leave blobs/ ("sha256:../../../etc/passwd")', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }], index: () => ({ schemaVersion: 2, manifests: [{ mediaType: MEDIA.manifest, digest: 'sha256:../../../../etc/passwd', size: 1 }] }) });
    expectCleanFailure(await scan(img.ref), 'bad-digest');
  });

  it('a layer digest with an unknown algorithm', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }], manifest: (m) => ((m.layers as Array<Record<string, unknown>>)[0]!.digest = 'md5:d41d8cd98f00b204e9800998ecf8427e') });
    expectCleanFailure(await scan(img.ref), 'bad-digest');
  });
});

describe('configs that disagree with the manifest', () => {
  it('a manifest with more layers than diff_ids', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }, { tar: goodTar() }], config: (c) => ((c.rootfs as { diff_ids: string[] }).diff_ids.length = 1) });
    expectCleanFailure(await scan(img.ref), 'bad-manifest');
  });

  it('a config with more diff_ids than layers', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }], config: (c) => (c.rootfs as { diff_ids: string[] }).diff_ids.push(sha256('x')) });
    expectCleanFailure(await scan(img.ref), 'bad-manifest');
  });

  it.each([
    ['no rootfs', (c: Record<string, unknown>) => delete c.rootfs],
    ['diff_ids not an array', (c: Record<string, unknown>) => (c.rootfs = { diff_ids: 'sha256:abc' })],
    ['a diff_id that is not a digest', (c: Record<string, unknown>) => (c.rootfs = { diff_ids: ['not-a-digest'] })],
    ['history that is not an array', (c: Record<string, unknown>) => (c.history = { created_by: 'x' })],
    ['config.config that is a string', (c: Record<string, unknown>) => (c.config = 'nope')],
    ['Env that is an object', (c: Record<string, unknown>) => (c.config = { Env: { PATH: '/bin' }, ExposedPorts: 7 })],
  ])('a config with %s', async (_what, change) => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }], config: change });
    const r = await scan(img.ref);
    // Either refused cleanly, or scanned (fields Vigil only reports may be ignored) — never a crash.
    if (r.code === 0) expect((JSON.parse(r.stdout) as { packages: unknown[] }).packages).toHaveLength(3);
    else expectCleanFailure(r, /^(bad-config|bad-digest)$/);
  });

  it('a config blob that is not JSON', async () => {
    const img = await good();
    const garbage = Buffer.from('\x00\x01 not json');
    const dir = img.dir;
    const cfg = sha256(garbage);
    await writeFile(join(dir, 'blobs', 'sha256', cfg.slice(7)), garbage);
    const manifest = { schemaVersion: 2, mediaType: MEDIA.manifest, config: { mediaType: MEDIA.config, digest: cfg, size: garbage.length }, layers: [] };
    const m = await addJsonBlob(dir, manifest);
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MEDIA.manifest, ...m }] }));
    expectCleanFailure(await scan(img.ref), 'bad-config');
  });
});

describe('manifests Vigil does not read', () => {
  it('an unknown layer media type', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar(), mediaType: 'application/vnd.example.layer.v1.tar+lz4' }] });
    expectCleanFailure(await scan(img.ref), 'unknown-media-type');
  });

  it('an unknown manifest media type', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }], manifest: (m) => (m.mediaType = 'application/vnd.example.manifest+json') });
    expectCleanFailure(await scan(img.ref), 'unknown-media-type');
  });

  it('a Docker schema 1 manifest', async () => {
    const dir = fresh();
    await good(dir);
    const schema1 = { schemaVersion: 1, name: 'library/x', tag: 'latest', architecture: 'amd64', fsLayers: [{ blobSum: sha256('x') }], history: [{ v1Compatibility: '{}' }] };
    const m = await addJsonBlob(dir, schema1);
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws', ...m }] }));
    expectCleanFailure(await scan(`oci:${dir}`), 'unsupported-manifest');
  });

  it.each([
    ['not JSON', '{"manifests": ['],
    ['a JSON array', '[]'],
    ['no manifests', '{"schemaVersion":2}'],
    ['a descriptor without a digest', '{"schemaVersion":2,"manifests":[{"mediaType":"x"}]}'],
    ['an empty manifests list', '{"schemaVersion":2,"manifests":[]}'],
  ])('index.json: %s', async (_what, text) => {
    const dir = fresh();
    await good(dir);
    await writeFile(join(dir, 'index.json'), text);
    expectCleanFailure(await scan(`oci:${dir}`));
  });

  it('an index that nests indexes without end', async () => {
    const dir = fresh();
    await good(dir);
    // Each index points at the previous one; the chain is longer than Vigil follows.
    let desc: Record<string, unknown> = { mediaType: MEDIA.index, ...(await addJsonBlob(dir, { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] })), platform: { os: 'linux', architecture: 'amd64' } };
    for (let i = 0; i < 6; i++) desc = { mediaType: MEDIA.index, ...(await addJsonBlob(dir, { schemaVersion: 2, mediaType: MEDIA.index, manifests: [desc] })), platform: { os: 'linux', architecture: 'amd64' } };
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [desc] }));
    expectCleanFailure(await scan(`oci:${dir}`), /^(bad-manifest|platform-not-found)$/);
  });
});

describe('platforms', () => {
  async function multiPlatform(): Promise<string> {
    const dir = fresh();
    const img = await good(dir);
    const manifestSize = (await readFile(img.blobPath(img.manifestDigest))).length;
    const plats = [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ];
    const inner = await addJsonBlob(dir, { schemaVersion: 2, mediaType: MEDIA.index, manifests: plats.map((platform) => ({ mediaType: MEDIA.manifest, digest: img.manifestDigest, size: manifestSize, platform })) });
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MEDIA.index, ...inner }] }));
    return `oci:${dir}`;
  }

  it('an index with no matching platform (--platform linux/s390x)', async () => {
    const line = expectCleanFailure(await scan(await multiPlatform(), '--platform', 'linux/s390x'), 'platform-not-found');
    expect(line).toContain('linux/arm64/v8');
  });

  it('the matching platform is found', async () => {
    const r = await scan(await multiPlatform(), '--platform', 'linux/arm64');
    expect(r.code, r.stderr).toBe(0);
  });

  it.each(['linux', 'linux/', '/amd64', 'linux/amd64/v8/extra', ''])('bad --platform syntax %j (OCI layout)', async (p) => {
    expectCleanFailure(await scan(await multiPlatform(), '--platform', p), 'bad-platform');
  });

  it('bad --platform syntax is refused for a docker-archive too', async () => {
    const file = fresh() + '.tar';
    await writeFile(file, makeDockerArchive({ layers: [goodTar()] }));
    expectCleanFailure(await scan(`docker-archive:${file}`, '--platform', 'linux'), 'bad-platform');
  });
});

describe('bad command lines', () => {
  it('an unknown option', async () => {
    expectCleanFailure(await runVigil(['scan', 'image', 'oci:/nonexistent', '--no-such-option']), 'usage');
  });

  it('an unknown command', async () => {
    expectCleanFailure(await runVigil(['scna', 'image', 'x']), 'usage');
  });

  it('a missing argument', async () => {
    expectCleanFailure(await runVigil(['scan', 'image']), 'usage');
  });

  it('an unknown format', async () => {
    expectCleanFailure(await runVigil(['scan', 'image', (await good()).ref, '--format', 'xml']), 'bad-format');
  });

  it('an unknown format is refused before the image is read', async () => {
    expectCleanFailure(await runVigil(['scan', 'image', 'oci:/nonexistent/dir', '--format', 'xml']), 'bad-format');
  });

  it('an unknown severity', async () => {
    expectCleanFailure(await runVigil(['scan', 'image', (await good()).ref, '--severity', 'catastrophic']), 'bad-option');
  });
});

describe('missing files', () => {
  it('an OCI directory without oci-layout', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }], layoutFile: null });
    expectCleanFailure(await scan(img.ref), 'not-oci-layout');
  });

  it('an oci-layout file that is garbage', async () => {
    const img = await writeOciLayout(fresh(), { layers: [{ tar: goodTar() }], layoutFile: '\u0000garbage' });
    expectCleanFailure(await scan(img.ref), 'not-oci-layout');
  });

  it('an OCI directory that does not exist', async () => {
    expectCleanFailure(await scan(`oci:${join(ws.root, 'nope')}`), 'not-oci-layout');
  });

  it('an OCI layout without index.json', async () => {
    const img = await good();
    await rm(join(img.dir, 'index.json'));
    expectCleanFailure(await scan(img.ref), 'not-found');
  });

  it('an OCI ref that names a file, not a directory', async () => {
    const file = fresh();
    await writeFile(file, 'x');
    expectCleanFailure(await scan(`oci:${file}`), 'not-oci-layout');
  });

  it('a tag that is not in the layout', async () => {
    const img = await good();
    expectCleanFailure(await scan(`${img.ref}:nosuchtag`), 'not-found');
  });

  it('a docker-archive that does not exist', async () => {
    expectCleanFailure(await scan(`docker-archive:${join(ws.root, 'nope.tar')}`), 'not-found');
  });

  it('a docker-archive that is a directory', async () => {
    expectCleanFailure(await scan(`docker-archive:${ws.root}`), /^(unreadable|corrupt-archive)$/);
  });
});

describe('broken docker-archives', () => {
  const archive = async (data: Buffer): Promise<string> => {
    const file = fresh() + '.tar';
    await writeFile(file, data);
    return `docker-archive:${file}`;
  };

  it.each([
    ['garbage JSON', '{{{ not json'],
    ['an empty array', '[]'],
    ['an object', '{"Config":"x","Layers":[]}'],
    ['an entry without Config', '[{"Layers":[]}]'],
    ['Layers that are not strings', '[{"Config":"c.json","Layers":[1,2]}]'],
    ['a null entry', '[null]'],
  ])('manifest.json is %s', async (_what, text) => {
    const ref = await archive(makeDockerArchive({ layers: [goodTar()], manifest: () => text }));
    expectCleanFailure(await scan(ref), 'corrupt-archive');
  });

  it('manifest.json lists a missing layer', async () => {
    const ref = await archive(makeDockerArchive({ layers: [goodTar()], manifest: (m) => ((m[0]!.Layers as string[]).push('blobs/sha256/' + 'a'.repeat(64)), m), config: (c) => (c.rootfs as { diff_ids: string[] }).diff_ids.push(sha256('x')) }));
    expectCleanFailure(await scan(ref), 'corrupt-archive');
  });

  it('manifest.json names a layer outside the archive ("../../etc/passwd")', async () => {
    const ref = await archive(makeDockerArchive({ layers: [goodTar()], manifest: (m) => ((m[0]!.Layers as string[])[0] = '../../../../etc/passwd', m) }));
    expectCleanFailure(await scan(ref), 'corrupt-archive');
  });

  it('manifest.json names a layer through a symlink member that points outside', async () => {
    const ref = await archive(
      makeDockerArchive({
        layers: [goodTar()],
        extra: [{ name: 'evil.tar', type: 'symlink', linkname: '/etc/passwd' }],
        manifest: (m) => ((m[0]!.Layers as string[])[0] = 'evil.tar', m),
      }),
    );
    expectCleanFailure(await scan(ref), 'corrupt-archive');
  });

  it('member links that loop', async () => {
    const ref = await archive(
      makeDockerArchive({
        layers: [goodTar()],
        extra: [
          { name: 'a.tar', type: 'symlink', linkname: 'b.tar' },
          { name: 'b.tar', type: 'symlink', linkname: 'a.tar' },
        ],
        manifest: (m) => ((m[0]!.Layers as string[])[0] = 'a.tar', m),
      }),
    );
    expectCleanFailure(await scan(ref), 'corrupt-archive');
  });

  it('no manifest.json at all', async () => {
    expectCleanFailure(await scan(await archive(makeTar([{ name: 'hello', data: 'x' }]))), 'corrupt-archive');
  });

  it('a layer whose diff_id does not match', async () => {
    const ref = await archive(makeDockerArchive({ layers: [goodTar()], config: (c) => ((c.rootfs as { diff_ids: string[] }).diff_ids[0] = sha256('other')) }));
    expectCleanFailure(await scan(ref), 'digest-mismatch');
  });

  it('a layer blob named by a digest it does not have', async () => {
    const t = goodTar();
    const ref = await archive(
      makeDockerArchive({
        layers: [t],
        extra: [{ name: `blobs/sha256/${'b'.repeat(64)}`, data: t }],
        manifest: (m) => ((m[0]!.Layers as string[])[0] = `blobs/sha256/${'b'.repeat(64)}`, m),
      }),
    );
    expectCleanFailure(await scan(ref), 'digest-mismatch');
  });

  it('more layers than diff_ids', async () => {
    const ref = await archive(makeDockerArchive({ layers: [goodTar(), makeTar([{ name: 'x', data: 'y' }])], config: (c) => (c.rootfs as { diff_ids: string[] }).diff_ids.pop() }));
    expectCleanFailure(await scan(ref), 'corrupt-archive');
  });

  it.each([0.95, 0.6, 0.3, 0.05])('a truncated archive (%d of its bytes)', async (frac) => {
    const full = makeDockerArchive({ layers: [goodTar(), makeTar([{ name: 'big', data: Buffer.alloc(100_000, 1) }])] });
    const ref = await archive(full.subarray(0, Math.floor(full.length * frac)));
    expectCleanFailure(await scan(ref));
  });

  it('an archive of random bytes', async () => {
    expectCleanFailure(await scan(await archive(Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 31 + 7) % 256)))), 'corrupt-archive');
  });

  it('an empty file', async () => {
    expectCleanFailure(await scan(await archive(Buffer.alloc(0))), 'corrupt-archive');
  });

  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['zstd', (b: Buffer) => zstd(b)],
  ])('a %s-compressed archive', async (_what, comp) => {
    const ref = await archive(comp(makeDockerArchive({ layers: [goodTar()] })));
    expectCleanFailure(await scan(ref), 'compressed-archive');
  });

  it('a tar member with a corrupt header checksum', async () => {
    const full = makeDockerArchive({ layers: [goodTar()] });
    full[20] = 0x41; // inside the first header's name
    expectCleanFailure(await scan(await archive(full)), 'corrupt-archive');
  });

  it('a tar member whose size field is not octal', async () => {
    const full = Buffer.from(makeDockerArchive({ layers: [goodTar()] }));
    full.write('9999999999x', 124, 'latin1');
    // Fix the checksum so that only the size is wrong.
    full.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += full[i]!;
    full.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    expectCleanFailure(await scan(await archive(full)), 'corrupt-archive');
  });

  it('a pax header that claims a huge path record', async () => {
    const pax = Buffer.from('99999999999 path=x\n');
    const hdr = makeTar([{ name: 'PaxHeader', data: pax }]).subarray(0, 1024);
    hdr[156] = 'x'.charCodeAt(0);
    hdr.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += hdr[i]!;
    hdr.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const ref = await archive(Buffer.concat([hdr, makeDockerArchive({ layers: [goodTar()] })]));
    const r = await scan(ref);
    if (r.code !== 0) expectCleanFailure(r, 'corrupt-archive');
  });
});

describe('scan targets that are not directories (rootfs)', () => {
  it('a rootfs that does not exist', async () => {
    expectCleanFailure(await runVigil(['scan', 'rootfs', join(ws.root, 'missing')]), 'not-found');
  });

  it('a rootfs that is a file', async () => {
    const f = fresh();
    await mkdir(ws.root, { recursive: true });
    await writeFile(f, 'x');
    expectCleanFailure(await runVigil(['scan', 'rootfs', f]), 'not-a-directory');
  });
});
