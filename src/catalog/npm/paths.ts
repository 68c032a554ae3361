import { posix } from 'node:path';

/**
 * The root package.json of an installed package: directly under a node_modules directory,
 * scoped or not ("/app/node_modules/@types/ms/package.json"). Files deeper inside a package
 * (lib/package.json, test fixtures) and npm's hidden `.package-lock.json` do not match; names
 * cannot start with "." or "_" (node_modules/.bin, .pnpm, .cache).
 */
const INSTALLED_PACKAGE_JSON = /\/node_modules\/(?:@[^/]+\/[^/]+|[^/@._][^/]*)\/package\.json$/;

/** Lock files of npm, yarn and pnpm, by base name. */
export const LOCK_FILE_NAMES: ReadonlySet<string> = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
]);

export function isInstalledPackageJson(path: string): boolean {
  return INSTALLED_PACKAGE_JSON.test(path);
}

/** A project's lock file; lock files shipped inside installed packages are not the project's. */
export function isLockFile(path: string): boolean {
  return LOCK_FILE_NAMES.has(posix.basename(path)) && !path.includes('/node_modules/');
}

/** Every directory that has an installed package under its node_modules ("/app" for /app/node_modules/a/...). */
export function projectDirsWithNodeModules(paths: Iterable<string>): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) {
    if (!isInstalledPackageJson(p)) continue;
    for (let i = p.indexOf('/node_modules/'); i >= 0; i = p.indexOf('/node_modules/', i + 1)) {
      dirs.add(i === 0 ? '/' : p.slice(0, i));
    }
  }
  return dirs;
}
