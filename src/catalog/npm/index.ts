import { posix } from 'node:path';
import type { Cataloger, FileFacts, FileSource } from '../types.js';
import { isInstalledPackageJson, isLockFile, projectDirsWithNodeModules } from './paths.js';
import { parsePackageJson } from './parse-package-json.js';
import { parsePackageLock } from './parse-package-lock.js';

type LockParser = (buf: Buffer, path: string) => FileFacts;

// yarn and pnpm parsers pull in the YAML library: loaded only when such a lock file is found.
const LOCK_PARSERS: Record<string, () => Promise<LockParser>> = {
  'package-lock.json': async () => parsePackageLock,
  'npm-shrinkwrap.json': async () => parsePackageLock,
  'yarn.lock': async () => (await import('./parse-yarn-lock.js')).parseYarnLock,
  'pnpm-lock.yaml': async () => (await import('./parse-pnpm-lock.js')).parsePnpmLock,
};

/**
 * Installed packages (`node_modules/<name>/package.json`, in every mode) and, for directory
 * scans only, the project lock files, as Trivy does: an image ships what is installed, a source
 * tree may have nothing installed yet. Where both exist, the installed packages win (`finalize`).
 */
export const npmCataloger = {
  name: 'npm',
  ecosystems: ['npm'],
  maxSize: 64 * 1024 * 1024,
  matches(file, ctx) {
    if (isInstalledPackageJson(file.path)) return true;
    return ctx.mode === 'rootfs' && isLockFile(file.path);
  },
  async parse(file: FileSource, _ctx) {
    const buf = await file.buffer();
    if (isInstalledPackageJson(file.path)) return parsePackageJson(buf, file.path);
    const load = LOCK_PARSERS[posix.basename(file.path)];
    return load ? (await load())(buf, file.path) : {};
  },
  finalize(found, view, _ctx) {
    // A lock file lists what was wanted; node_modules beside it is what is there (packages
    // removed after install, e.g. by a later image layer, must not come back from the lock file).
    const installed = projectDirsWithNodeModules(view.paths());
    return found.filter((f) => !isLockFile(f.path) || !installed.has(posix.dirname(f.path)));
  },
} satisfies Cataloger;
