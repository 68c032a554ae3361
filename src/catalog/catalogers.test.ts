/**
 * The shared contract every cataloger keeps, run over the registry: a new folder that is not
 * registered, or a cataloger that throws on garbage instead of reporting a warning, fails here.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CATALOGERS } from './index.js';
import type { FileSource } from './types.js';
import { BufferFileSource } from '../engine/file-source.js';
import { PACKAGE_TYPES } from '../core/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const NOT_CATALOGERS = new Set(['shared']);

function file(p: string, data: Buffer, mode = 0o644): FileSource {
  return new BufferFileSource({ path: p, mode, size: data.length }, data);
}

describe('cataloger registry', () => {
  test('every cataloger folder is registered, and names are unique', () => {
    const folders = readdirSync(here).filter((d) => statSync(path.join(here, d)).isDirectory() && !d.startsWith('_') && !NOT_CATALOGERS.has(d));
    expect(CATALOGERS.length).toBe(folders.length);
    expect(new Set(CATALOGERS.map((c) => c.name)).size).toBe(CATALOGERS.length);
  });
});

// Paths each cataloger must want (one real path per cataloger), used for the garbage test.
const SAMPLE_PATH: Record<string, { path: string; mode?: number }> = {
  'os-release': { path: '/etc/os-release' },
  dpkg: { path: '/var/lib/dpkg/status' },
  apk: { path: '/lib/apk/db/installed' },
  rpmdb: { path: '/var/lib/rpm/rpmdb.sqlite' },
  npm: { path: '/app/node_modules/lodash/package.json' },
  python: { path: '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA' },
  'go-binary': { path: '/usr/local/bin/app', mode: 0o755 },
  'java-archive': { path: '/app/lib/app.jar' },
  rust: { path: '/usr/local/bin/app', mode: 0o755 },
  ruby: { path: '/usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.3.gemspec' },
  composer: { path: '/app/vendor/composer/installed.json' },
  'dotnet-deps': { path: '/app/app.deps.json' },
};

const GARBAGE: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
  ['not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x0a, 0x50, 0x3a, 0xff])],
  ['ELF magic then nothing', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])],
  ['zip magic then nothing', Buffer.from('PK\x03\x04garbage')],
  ['SQLite magic then nothing', Buffer.from('SQLite format 3\0garbage')],
];

describe.each(CATALOGERS.map((c) => [c.name, c] as const))('cataloger %s', (name, cataloger) => {
  const sample = SAMPLE_PATH[name];

  test('has a sample path it wants, and reports only SPEC package types', () => {
    expect(sample, `add a sample path for ${name} to SAMPLE_PATH`).toBeDefined();
    expect(cataloger.matches({ path: sample!.path, mode: sample!.mode ?? 0o644, size: 4096 }, { mode: 'rootfs' })).toBe(true);
    for (const e of cataloger.ecosystems) expect(typeof e).toBe('string');
  });

  test('does not want unrelated files', () => {
    for (const p of ['/etc/passwd', '/usr/share/doc/x/README', '/var/log/dpkg.log']) {
      expect(cataloger.matches({ path: p, mode: 0o644, size: 100 }, { mode: 'image' })).toBe(false);
    }
  });

  test.each(GARBAGE)('garbage (%s) gives facts or a clean error, never a crash', async (_label, data) => {
    const f = file(sample!.path, data, sample!.mode ?? 0o644);
    if (cataloger.sniff && !cataloger.sniff(data.subarray(0, 64), f)) return;
    try {
      const facts = await cataloger.parse(f, { mode: 'rootfs' });
      for (const p of facts.packages ?? []) expect(PACKAGE_TYPES).toContain(p.type);
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as { code?: unknown }).code, 'errors are VigilErrors with a code').toBeTypeOf('string');
    }
  });
});
