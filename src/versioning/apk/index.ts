import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { compareApk, parseApk } from './compare-apk.js';

export const apk = {
  id: 'apk',
  displayName: 'Alpine (apk-tools)',
  urls: [
    'https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c',
    'https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/test/version.data',
  ],
  ...parsedApi('apk', parseApk, compareApk),
} satisfies VersionScheme;
