import type { Cataloger } from './types.js';
import { osReleaseCataloger } from './os-release/index.js';
import { dpkgCataloger } from './dpkg/index.js';
import { apkCataloger } from './apk/index.js';
import { rpmCataloger } from './rpm/index.js';
import { npmCataloger } from './npm/index.js';
import { pythonCataloger } from './python/index.js';
import { goBinaryCataloger } from './golang/index.js';
import { javaArchiveCataloger } from './java/index.js';
import { rustCataloger } from './rust/index.js';
import { gemspecCataloger } from './ruby/index.js';
import { composerCataloger } from './php/index.js';
import { dotnetDepsCataloger } from './dotnet/index.js';

/**
 * Every cataloger, in one explicit list. A new ecosystem is a new folder here plus one line
 * below; `catalogers.test.ts` runs the shared contract over each entry.
 */
export const CATALOGERS: readonly Cataloger[] = [
  osReleaseCataloger,
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  npmCataloger,
  pythonCataloger,
  goBinaryCataloger,
  javaArchiveCataloger,
  rustCataloger,
  gemspecCataloger,
  composerCataloger,
  dotnetDepsCataloger,
];
