/**
 * A hostile unpacked root filesystem: symlinks to `/`, to places outside the root and in loops,
 * special files where databases should be, and directories deeper than PATH_MAX. The walk must
 * stay inside the root, never follow a link, and terminate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { scanDirectory } from '../../src/engine/scan.js';
import { assertBuilt, runVigil } from './helpers/cli.js';
import { DPKG_STATUS, NPM_PACKAGE, OS_RELEASE } from './helpers/images.js';

let base: string;

beforeAll(async () => {
  assertBuilt();
  base = await mkdtemp(join(tmpdir(), 'vigil-hostile-rootfs-'));
});
// fs.rm cannot remove trees deeper than PATH_MAX; rm(1) can.
afterAll(() => {
  spawnSync('rm', ['-rf', base]);
});

const EVIL_STATUS = 'Package: evil\nStatus: install ok installed\nVersion: 6.6.6\nArchitecture: all\n\n';

async function put(root: string, path: string, data: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), data);
}

/** A small Debian-like rootfs, and beside it an "outside" tree the links point into. */
async function makeRoot(name: string): Promise<{ root: string; outside: string }> {
  const root = join(base, name, 'rootfs');
  const outside = join(base, name, 'outside');
  await put(root, 'etc/os-release', OS_RELEASE);
  await put(root, 'var/lib/dpkg/status', DPKG_STATUS);
  await put(root, 'app/node_modules/left-pad/package.json', NPM_PACKAGE);
  await put(outside, 'var/lib/dpkg/status', EVIL_STATUS);
  await put(outside, 'lib/apk/db/installed', 'P:evil-apk\nV:6.6.6\n\n');
  await put(outside, 'node_modules/evil/package.json', '{"name":"evil-npm","version":"6.6.6"}');
  return { root, outside };
}

describe('rootfs walk stays inside the root', () => {
  it('symlinks to /, to outside, and loops: nothing outside is read, the walk ends', async () => {
    const { root, outside } = await makeRoot('links');
    await symlink('/', join(root, 'host'));
    await symlink('../../../../../../../../', join(root, 'up'));
    await symlink(outside, join(root, 'lib-outside'));
    await mkdir(join(root, 'lib', 'apk', 'db'), { recursive: true });
    await symlink(join(outside, 'lib/apk/db/installed'), join(root, 'lib/apk/db/installed'));
    await symlink('../outside/node_modules', join(root, 'app', 'node_modules', 'evil'));
    await symlink('loop-b', join(root, 'loop-a'));
    await symlink('loop-a', join(root, 'loop-b'));
    await symlink('.', join(root, 'self'));
    await symlink('..', join(root, 'app', 'parent'));
    const started = Date.now();
    const inv = await scanDirectory(root, 'rootfs');
    expect(Date.now() - started).toBeLessThan(10_000);
    const names = inv.packages.map((p) => p.name).sort();
    expect(names).toEqual(['base-files', 'left-pad', 'libc6']);
    expect(JSON.stringify(inv)).not.toContain('evil');
  });

  it('a database path that is itself a symlink out of the root is not read', async () => {
    const { root, outside } = await makeRoot('dblink');
    spawnSync('rm', ['-f', join(root, 'var/lib/dpkg/status')]);
    await symlink(join(outside, 'var/lib/dpkg/status'), join(root, 'var/lib/dpkg/status'));
    const inv = await scanDirectory(root, 'rootfs');
    expect(inv.packages.map((p) => p.name).sort()).toEqual(['left-pad']);
  });

  it('a database directory that is a symlink out of the root is not walked', async () => {
    const { root, outside } = await makeRoot('dirlink');
    spawnSync('rm', ['-rf', join(root, 'var/lib/dpkg')]);
    await symlink(join(outside, 'var/lib/dpkg'), join(root, 'var/lib/dpkg'));
    const inv = await scanDirectory(root, 'rootfs');
    expect(inv.packages.map((p) => p.name).sort()).toEqual(['left-pad']);
  });

  it('FIFOs where the databases should be do not block the walk', async () => {
    const { root } = await makeRoot('special');
    spawnSync('rm', ['-f', join(root, 'var/lib/dpkg/status')]);
    execFileSync('mkfifo', [join(root, 'var/lib/dpkg/status')]);
    await mkdir(join(root, 'lib/apk/db'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'lib/apk/db/installed')]);
    const inv = await scanDirectory(root, 'rootfs');
    expect(inv.packages.map((p) => p.name)).toEqual(['left-pad']);
  });

  it('a directory tree deeper than PATH_MAX: a warning, the rest is scanned', async () => {
    const { root } = await makeRoot('deep');
    // mkdir -p creates it component by component, past PATH_MAX.
    execFileSync('mkdir', ['-p', 'd/'.repeat(3000)], { cwd: root });
    const inv = await scanDirectory(root, 'rootfs');
    expect(inv.packages.map((p) => p.name).sort()).toEqual(['base-files', 'left-pad', 'libc6']);
    expect(inv.warnings.map((w) => w.code)).toContain('unreadable');
  });

  it('the root given as a symlink to a directory is scanned (only links inside are never followed)', async () => {
    const { root } = await makeRoot('rootlink');
    const link = join(base, 'rootlink', 'link-to-rootfs');
    await symlink(root, link);
    const inv = await scanDirectory(link, 'rootfs');
    expect(inv.packages.map((p) => p.name).sort()).toEqual(['base-files', 'left-pad', 'libc6']);
  });

  it('through the CLI: symlink to / and a loop, exit 0 in bounded time', async () => {
    const { root } = await makeRoot('cli');
    await symlink('/', join(root, 'host'));
    await symlink('loop', join(root, 'loop'));
    const r = await runVigil(['scan', 'rootfs', root, '--format', 'json'], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    const names = (JSON.parse(r.stdout) as { packages: Array<{ name: string }> }).packages.map((p) => p.name).sort();
    expect(names).toEqual(['base-files', 'left-pad', 'libc6']);
  });

  it('host mode with --root pointing at a hostile tree stays inside it', async () => {
    const { root } = await makeRoot('host');
    await symlink('/', join(root, 'proc-link'));
    const r = await runVigil(['scan', 'host', '--root', root, '--format', 'json'], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('evil');
  });
});
