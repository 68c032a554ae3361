/**
 * Hostile tar entries inside otherwise valid images: names that climb out of the root, absolute
 * names, symlinks and hard links that point outside or in circles, names that are not UTF-8,
 * absurdly deep paths and layers with very many entries. None may crash, hang or read anything
 * outside the image; the packages that are really there must still be found.
 */
import { describe, expect, it } from 'vitest';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveInRoot } from '../../src/engine/paths.js';
import { expectCleanFailure, runVigil, tempDir } from './helpers/cli.js';
import { useWorkspace } from './helpers/workspace.js';
import { BASE_PACKAGES, DPKG_STATUS, baseEntries, writeOciLayout, type Compression } from './helpers/images.js';
import { pkgIds, scanRef, warningCodes } from './helpers/scan.js';
import { makeTar, tarEntryBlocks, TAR_END, type TarEntry } from './helpers/tar.js';

const ws = useWorkspace();
const fresh = ws.fresh;

const EVIL_STATUS = 'Package: evil\nStatus: install ok installed\nVersion: 6.6.6\nArchitecture: all\n\n';
const EVIL_OS = 'ID=evil-host\nVERSION_ID="666"\n';

async function image(entries: TarEntry[][], compression: Compression = 'gzip'): Promise<string> {
  const img = await writeOciLayout(fresh(), { layers: entries.map((e) => ({ tar: makeTar(e), compression })) });
  return img.ref;
}

describe('entries that climb out of the root', () => {
  const climbing = ['../../etc/passwd', '../../var/lib/dpkg/status', './../var/lib/dpkg/status', 'var/../../var/lib/dpkg/status', '/../var/lib/dpkg/status', 'a/b/../../../../../var/lib/dpkg/status'];

  it.each(climbing)('%s is ignored with an unsafe-path warning', async (name) => {
    const ref = await image([baseEntries(), [{ name, data: EVIL_STATUS }]]);
    const inv = await scanRef(ref);
    expect(pkgIds(inv)).toEqual(BASE_PACKAGES);
    const w = inv.warnings.filter((x) => x.code === 'unsafe-path');
    expect(w).toHaveLength(1);
    expect(w[0]!.location).toBe(name);
  });

  it('absolute names are read as paths inside the image root', async () => {
    const ref = await image([[{ name: '/etc/os-release', data: 'ID=alpine\nVERSION_ID=3.19.1\n' }, { name: '/lib/apk/db/installed', data: 'P:musl\nV:1.2.4-r2\nA:x86_64\n\n' }]]);
    const inv = await scanRef(ref);
    expect(pkgIds(inv)).toEqual(['apk/musl@1.2.4-r2']);
    expect(inv.artifact.os).toMatchObject({ family: 'alpine' });
    expect(warningCodes(inv)).not.toContain('unsafe-path');
  });

  it('through the CLI: exit 0, the warning in the JSON report, nothing written outside', async () => {
    const ref = await image([baseEntries(), [{ name: '../../../../tmp/vigil-pwned', data: 'x' }, { name: '../../etc/passwd', data: 'root::0:0::/:/bin/sh\n' }]]);
    const { dir: cwd, cleanup: c1 } = await tempDir();
    const { dir: tmp, cleanup: c2 } = await tempDir();
    try {
      const r = await runVigil(['scan', 'image', ref, '--format', 'json'], { cwd, env: { TMPDIR: tmp } });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { warnings: Array<{ code: string }>; packages: unknown[] };
      expect(report.warnings.filter((w) => w.code === 'unsafe-path')).toHaveLength(2);
      expect(report.packages).toHaveLength(3);
      expect(await readdir(cwd)).toEqual([]);
      expect(await readdir(tmp)).toEqual([]); // the spool dir is gone too
    } finally {
      await c1();
      await c2();
    }
  });
});

describe('symlinks pointing outside the root, and loops', () => {
  it('/etc/os-release -> ../../../../host/os-release never reads the host file', async () => {
    const dir = fresh();
    // A file the link would reach if it were followed on disk from the layout directory.
    await mkdir(join(dir, '..', 'host'), { recursive: true });
    await writeFile(join(dir, '..', 'host', 'os-release'), EVIL_OS);
    const img = await writeOciLayout(dir, {
      layers: [
        { tar: makeTar([{ name: 'usr/lib/os-release', data: 'ID=debian\nVERSION_ID="12"\n' }, { name: 'var/lib/dpkg/status', data: DPKG_STATUS }]) },
        { tar: makeTar([{ name: 'etc/os-release', type: 'symlink', linkname: '../../../../host/os-release' }]) },
      ],
    });
    const inv = await scanRef(img.ref);
    expect(inv.artifact.os).toMatchObject({ family: 'debian', version: '12' });
    expect(JSON.stringify(inv)).not.toContain('evil-host');
  });

  it('resolution is chroot-like: "..", absolute targets and loops stay inside', () => {
    const links = new Map([
      ['/etc/os-release', '../../../../host/os-release'],
      ['/a', '/b'],
      ['/b', 'a'],
      ['/self', 'self'],
      ['/up', '../../..'],
    ]);
    expect(resolveInRoot('/etc/os-release', links)).toBe('/host/os-release');
    expect(resolveInRoot('/up/etc/shadow', links)).toBe('/etc/shadow');
    expect(resolveInRoot('/a/x', links)).toBeNull();
    expect(resolveInRoot('/self', links)).toBeNull();
  });

  it('a symlink loop and a link to / in an image do not stop the scan', async () => {
    const ref = await image([
      [
        ...baseEntries(),
        { name: 'loop-a', type: 'symlink', linkname: 'loop-b' },
        { name: 'loop-b', type: 'symlink', linkname: '/loop-a' },
        { name: 'self', type: 'symlink', linkname: 'self' },
        { name: 'rootlink', type: 'symlink', linkname: '/' },
        { name: 'escape', type: 'symlink', linkname: '../../../../../../' },
        // A dpkg file list that goes through the loops: ownership must still terminate.
        { name: 'var/lib/dpkg/info/libc6.list', data: '/loop-a/lib/x\n/rootlink/rootlink/rootlink/lib/y\n/escape/etc\n/self/z\n' },
      ],
    ]);
    const inv = await scanRef(ref);
    expect(pkgIds(inv)).toEqual(BASE_PACKAGES);
  });

  it('a symlinked directory that points outside, with a file "written through" it in the next layer', async () => {
    const ref = await image([
      baseEntries(),
      [{ name: 'var/lib/dpkg', type: 'symlink', linkname: '../../../../../../tmp/vigil-outside' }],
      [{ name: 'var/lib/dpkg/status', data: EVIL_STATUS }],
    ]);
    const inv = await scanRef(ref);
    // The last layer's entry is a file inside the image (overlay semantics), nothing is written anywhere.
    expect(pkgIds(inv)).toContain('deb/evil@6.6.6');
    expect(pkgIds(inv)).toContain('npm/left-pad@1.3.0');
  });
});

describe('hard links', () => {
  it.each([
    ['outside the root', '../../../etc/passwd'],
    ['to an absolute outside-looking path', '/../../etc/shadow'],
    ['to a missing entry', 'var/lib/dpkg/status-missing'],
    ['to itself', 'var/lib/dpkg/status'],
    ['to a later entry', 'zzz/later'],
  ])('a hard link %s is not followed; other packages are found', async (_what, target) => {
    const ref = await image([[...baseEntries().filter((e) => e.name !== 'var/lib/dpkg/status'), { name: 'var/lib/dpkg/status', type: 'link', linkname: target }, { name: 'zzz/later', data: EVIL_STATUS }]]);
    const inv = await scanRef(ref);
    expect(pkgIds(inv)).toEqual(['npm/left-pad@1.3.0']);
    expect(JSON.stringify(inv)).not.toContain('evil');
  });

  it('a hard link that climbs out of the root gets an unsafe-path warning', async () => {
    const ref = await image([[...baseEntries(), { name: 'etc/passwd', type: 'link', linkname: '../../../etc/passwd' }]]);
    const inv = await scanRef(ref);
    expect(pkgIds(inv)).toEqual(BASE_PACKAGES);
    expect(inv.warnings.filter((w) => w.code === 'unsafe-path').map((w) => w.location)).toEqual(['etc/passwd']);
  });

  it('a hard link to an earlier wanted entry reports it at the link path', async () => {
    const ref = await image([[{ name: 'var/lib/dpkg/status', data: DPKG_STATUS }, { name: 'var/lib/dpkg/status.d/copy', type: 'link', linkname: 'var/lib/dpkg/status' }]]);
    const inv = await scanRef(ref);
    expect(pkgIds(inv)).toEqual(['deb/base-files@12.4+deb12u5', 'deb/libc6@2.36-9+deb12u4']);
  });
});

describe('names that are not UTF-8', () => {
  const raw = (s: string, tail: number[] = [0xff, 0xfe]): Buffer => Buffer.concat([Buffer.from(s), Buffer.from(tail)]);

  it('raw 0xff 0xfe bytes in names, link targets and long (pax) names', async () => {
    const ref = await image([
      [
        ...baseEntries(),
        { name: raw('etc/') },
        { name: raw('var/lib/dpkg/status.d/'), data: 'Package: weird\nVersion: 1.0\nArchitecture: all\n\n' },
        { name: raw('app/node_modules/'), type: 'dir' },
        { name: Buffer.concat([raw('app/node_modules/'), Buffer.from('/package.json')]), data: '{"name":"\u00ff","version":"1.0.0"}' },
        { name: raw('usr/bin/link'), type: 'symlink', linkname: raw('../') },
        { name: raw('deep/'.repeat(40), [0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]), data: 'x' },
        { name: raw('usr/lib/'), type: 'link', linkname: raw('etc/') },
        { name: raw('.wh.', [0xff]), data: '' },
      ],
    ]);
    const inv = await scanRef(ref);
    for (const p of BASE_PACKAGES) expect(pkgIds(inv)).toContain(p);
  });

  it('through the CLI: JSON and table output still render', async () => {
    const ref = await image([[...baseEntries(), { name: raw('var/lib/dpkg/status.d/'), data: 'Package: weird\nVersion: 1.0\nArchitecture: all\n\n' }]]);
    for (const format of ['json', 'table', 'cyclonedx', 'spdx-json', 'csv']) {
      const r = await runVigil(['scan', 'image', ref, '--format', format]);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('');
    }
  });
});

describe('extreme shapes', () => {
  it('a 10,000-deep directory path (and a deep node_modules chain) is handled', async () => {
    const deep = 'd/'.repeat(10_000);
    const deepModules = 'app/' + 'node_modules/m/'.repeat(2_000);
    const ref = await image([
      [
        ...baseEntries(),
        { name: deep + 'file', data: 'x' },
        { name: deep + 'var/lib/dpkg/status', data: EVIL_STATUS },
        { name: deepModules + 'package.json', data: '{"name":"m","version":"2.0.0"}' },
        { name: deep + 'link', type: 'symlink', linkname: '../'.repeat(20_000) + 'etc' },
      ],
      [{ name: 'd/.wh..wh..opq', data: '' }, { name: deep + '.wh.file', data: '' }],
    ]);
    const started = Date.now();
    const r = await runVigil(['scan', 'image', ref, '--format', 'json'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    const names = (JSON.parse(r.stdout) as { packages: Array<{ name: string }> }).packages.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['base-files', 'libc6', 'left-pad']));
    expect(names).not.toContain('evil');
  });

  it('100,000 tiny entries in one layer are read in bounded time', async () => {
    const blocks: Buffer[] = [];
    for (const e of baseEntries()) blocks.push(...tarEntryBlocks(e));
    for (let i = 0; i < 100_000; i++) blocks.push(...tarEntryBlocks({ name: `usr/share/many/${i % 100}/f${i}` }));
    blocks.push(TAR_END);
    const img = await writeOciLayout(fresh(), { layers: [{ tar: Buffer.concat(blocks) }] });
    const r = await runVigil(['scan', 'image', img.ref, '--format', 'json'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { packages: unknown[] }).packages).toHaveLength(3);
  }, 40_000);

  it('100,000 whiteouts over a layer with 100,000 symlinks merge in bounded time', async () => {
    const lower: Buffer[] = [];
    const upper: Buffer[] = [];
    for (const e of baseEntries()) lower.push(...tarEntryBlocks(e));
    for (let i = 0; i < 100_000; i++) {
      lower.push(...tarEntryBlocks({ name: `l/${i}`, type: 'symlink', linkname: '/etc' }));
      upper.push(...tarEntryBlocks({ name: `w/.wh.${i}` }));
    }
    lower.push(TAR_END);
    upper.push(TAR_END);
    const img = await writeOciLayout(fresh(), { layers: [{ tar: Buffer.concat(lower) }, { tar: Buffer.concat(upper) }] });
    const r = await runVigil(['scan', 'image', img.ref, '--format', 'json'], { timeoutMs: 30_000 });
    expect(r.timedOut, 'the merge must not be quadratic').toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { packages: unknown[] }).packages).toHaveLength(3);
  }, 40_000);

  it('a wanted file whose data is cut short fails cleanly (in memory and spooled to disk)', async () => {
    const big = 'Package: x\nStatus: install ok installed\nVersion: 1\n\n'.repeat(4000);
    const tar = makeTar([{ name: 'var/lib/dpkg/status', data: big }]).subarray(0, 512 + 100_000);
    const img = await writeOciLayout(fresh(), { layers: [{ tar }] });
    for (const inMemoryBytes of [64 * 1024 * 1024, 1024]) {
      const err = await scanRef(img.ref, { limits: { inMemoryBytes } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as { code?: string }).code).toBe('corrupt-layer');
    }
    expectCleanFailure(await runVigil(['scan', 'image', img.ref]), 'corrupt-layer');
  });
});

describe('whiteouts and opaque directories still mean what they mean', () => {
  it('a whiteout hides a lower file and everything under a lower directory; an opaque dir hides its content only', async () => {
    const ref = await image([
      [
        ...baseEntries(),
        { name: 'lib/apk/db/installed', data: 'P:musl\nV:1.2.4-r2\nA:x86_64\n\n' },
        { name: 'srv/node_modules/a/package.json', data: '{"name":"a","version":"1.0.0"}' },
        { name: 'srv/node_modules/b/package.json', data: '{"name":"b","version":"1.0.0"}' },
        { name: 'opt/node_modules/c/package.json', data: '{"name":"c","version":"1.0.0"}' },
        { name: 'opt/node_modules/c/link', type: 'symlink', linkname: '/etc' },
      ],
      [
        { name: 'var/lib/dpkg/.wh.status', data: '' },
        { name: 'srv/node_modules/.wh.a', data: '' },
        { name: 'opt/.wh..wh..opq', data: '' },
        { name: 'opt/node_modules/d/package.json', data: '{"name":"d","version":"1.0.0"}' },
      ],
    ]);
    const inv = await scanRef(ref);
    expect(pkgIds(inv)).toEqual(['apk/musl@1.2.4-r2', 'npm/b@1.0.0', 'npm/d@1.0.0', 'npm/left-pad@1.3.0']);
  });

  it('an opaque root directory hides every lower file', async () => {
    const ref = await image([baseEntries(), [{ name: '.wh..wh..opq', data: '' }, { name: 'lib/apk/db/installed', data: 'P:musl\nV:1.2.4-r2\nA:x86_64\n\n' }]]);
    expect(pkgIds(await scanRef(ref))).toEqual(['apk/musl@1.2.4-r2']);
  });
});
