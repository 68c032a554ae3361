import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = import.meta.dirname;

export const GO_ARCHES = ['amd64', '386', 's390x', 'mips'] as const;
export type GoArch = (typeof GO_ARCHES)[number];

/**
 * Builds gomod/app for each architecture with the local toolchain, offline (file:// proxy, no
 * checksum database), into a fresh temp dir. Returns arch → binary path.
 */
export async function buildGoFixtures(arches: readonly GoArch[] = GO_ARCHES): Promise<Map<GoArch, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-go-'));
  cpSync(resolve(here, 'gomod'), dir, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    GOPROXY: `file://${resolve(here, 'goproxy')}`,
    GOSUMDB: 'off',
    GOFLAGS: '-mod=mod',
    GOPATH: join(dir, 'gopath'),
    // Shared between runs: the standard library of four architectures compiles once.
    GOCACHE: join(tmpdir(), 'vigil-test-gocache'),
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
  const out = new Map<GoArch, string>();
  // One at a time: parallel builds race on the module download into the same GOPATH.
  for (const arch of arches) {
    const bin = join(dir, `app-${arch}`);
    await run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', bin, '.'], {
      cwd: join(dir, 'app'),
      env: { ...env, GOARCH: arch },
    });
    out.set(arch, bin);
  }
  return out;
}
