import { posix } from 'node:path';
import type { Cataloger, FileSource } from '../types.js';
import { parseComposerLock, parseInstalledJson } from './parse-composer.js';

const INSTALLED_JSON = /\/vendor\/composer\/installed\.json$/;

const isComposerLock = (path: string): boolean => posix.basename(path) === 'composer.lock' && !path.includes('/vendor/');

/**
 * PHP packages. `vendor/composer/installed.json` is what is installed and is read in every mode;
 * `composer.lock` only in directory scans (as Trivy does) and only where no vendor/ was
 * installed beside it (`finalize`): then installed.json is the truth.
 */
export const composerCataloger = {
  name: 'composer',
  ecosystems: ['composer'],
  matches(file, ctx) {
    return INSTALLED_JSON.test(file.path) || (ctx.mode === 'rootfs' && isComposerLock(file.path));
  },
  async parse(file: FileSource, _ctx) {
    const buf = await file.buffer();
    return INSTALLED_JSON.test(file.path) ? parseInstalledJson(buf, file.path) : parseComposerLock(buf, file.path);
  },
  finalize(found, view, _ctx) {
    return found.filter((f) => {
      if (!isComposerLock(f.path)) return true;
      const dir = posix.dirname(f.path);
      return !view.has(`${dir === '/' ? '' : dir}/vendor/composer/installed.json`);
    });
  },
} satisfies Cataloger;
