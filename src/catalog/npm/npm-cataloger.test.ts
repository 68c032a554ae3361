import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { CatalogView, FoundInFile, ParseContext } from '../types.js';
import { npmCataloger } from './index.js';
import { fixturePaths, fixtureSource, sourceOf } from '../shared/__fixtures__/file-sources.js';

const APP = fileURLToPath(new URL('./__fixtures__/app', import.meta.url));

const viewOf = (paths: string[]): CatalogView => ({ has: (p) => paths.includes(p), paths: () => paths });

/** What the engine does: match, parse each wanted file, then finalize over the final view. */
async function scan(root: string, ctx: ParseContext, exclude: string[] = []) {
  const files = fixturePaths(root).filter((p) => !exclude.includes(p));
  const wanted = files.filter((p) => npmCataloger.matches({ path: p, mode: 0o644, size: 1 }, ctx));
  const found: FoundInFile[] = [];
  for (const path of wanted) {
    for (const pkg of (await npmCataloger.parse(fixtureSource(root, path), ctx)).packages ?? []) found.push({ path, pkg });
  }
  return npmCataloger.finalize(found, viewOf(wanted), ctx);
}

const ids = (found: FoundInFile[]) => found.map((f) => `${f.pkg.name}@${f.pkg.version} ${f.path}`).sort();

describe('the app fixture (/app of the app image: node_modules excerpt + the real lockfile v3)', () => {
  test('image mode: only installed packages; the project package.json and the lock file are not read', async () => {
    expect(ids(await scan(APP, { mode: 'image' }))).toEqual([
      'axios@0.21.1 /app/node_modules/axios/package.json',
      'lodash@4.17.15 /app/node_modules/lodash/package.json',
      'minimist@1.2.5 /app/node_modules/minimist/package.json',
      'qs@6.5.2 /app/node_modules/qs/package.json',
      'semver@5.7.3 /app/node_modules/jsonwebtoken/node_modules/semver/package.json',
    ]);
  });

  test('rootfs mode: the lock file beside an installed node_modules is dropped, so a deleted qs stays gone', async () => {
    const found = await scan(APP, { mode: 'rootfs' }, ['/app/node_modules/qs/package.json']);
    expect(ids(found)).toEqual([
      'axios@0.21.1 /app/node_modules/axios/package.json',
      'lodash@4.17.15 /app/node_modules/lodash/package.json',
      'minimist@1.2.5 /app/node_modules/minimist/package.json',
      'semver@5.7.3 /app/node_modules/jsonwebtoken/node_modules/semver/package.json',
    ]);
  });

  test('rootfs mode without node_modules: the lock file is the inventory (29 packages, qs included)', async () => {
    const facts = await npmCataloger.parse(fixtureSource(APP, '/app/package-lock.json'), { mode: 'rootfs' });
    const found = (facts.packages ?? []).map((pkg) => ({ path: '/app/package-lock.json', pkg }));
    const kept = npmCataloger.finalize(found, viewOf(['/app/package-lock.json']), { mode: 'rootfs' });
    expect(kept).toHaveLength(29);
    expect(ids(kept)).toContain('qs@6.5.2 /app/package-lock.json');
    expect(ids(kept)).toContain('semver@5.7.3 /app/package-lock.json');
  });

  test('finalize keeps lock files of other directories, and handles a lock file at /', async () => {
    const pkg = { name: 'a', version: '1.0.0', type: 'npm' as const };
    const found: FoundInFile[] = [
      { path: '/srv/x/yarn.lock', pkg },
      { path: '/package-lock.json', pkg },
      { path: '/app/package-lock.json', pkg },
    ];
    const view = viewOf(['/node_modules/a/package.json', '/app/sub/node_modules/b/package.json']);
    expect(npmCataloger.finalize(found, view, { mode: 'rootfs' }).map((f) => f.path)).toEqual(['/srv/x/yarn.lock', '/app/package-lock.json']);
  });

  test('parse ignores a file it would not have matched', async () => {
    expect(await npmCataloger.parse(sourceOf('/x/README', 'hi'), { mode: 'rootfs' })).toEqual({});
  });
});
