import { posix } from 'node:path';
import type { Cataloger, FileSource } from '../types.js';
import { parseGemfileLock } from './parse-gemfile-lock.js';
import { parseGemspec } from './parse-gemspec.js';

/** Installed gems: `<GEM_HOME>/specifications/*.gemspec`, default gems under `specifications/default/`. */
const INSTALLED_GEMSPEC = /\/specifications\/(?:default\/)?[^/]+\.gemspec$/;

const isGemfileLock = (path: string): boolean => posix.basename(path) === 'Gemfile.lock';

/**
 * Ruby gems. Installed specifications are read in every mode (Debian's ruby-* packages put theirs
 * under /usr/share/rubygems-integration and /usr/lib/<triplet>/rubygems-integration);
 * `Gemfile.lock` only for directory scans, as Trivy does.
 */
export const gemspecCataloger = {
  name: 'ruby',
  ecosystems: ['gem'],
  maxSize: 8 * 1024 * 1024,
  matches(file, ctx) {
    return INSTALLED_GEMSPEC.test(file.path) || (ctx.mode === 'rootfs' && isGemfileLock(file.path));
  },
  async parse(file: FileSource, _ctx) {
    const buf = await file.buffer();
    return isGemfileLock(file.path) ? parseGemfileLock(buf) : parseGemspec(buf, file.path);
  },
} satisfies Cataloger;
