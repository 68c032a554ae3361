import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { compareDeb, parseDeb } from './compare-deb.js';

export const deb = {
  id: 'deb',
  displayName: 'Debian (dpkg)',
  urls: [
    'https://manpages.debian.org/deb-version.7',
    'https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/lib/dpkg/version.c',
  ],
  ...parsedApi('deb', parseDeb, compareDeb),
} satisfies VersionScheme;
