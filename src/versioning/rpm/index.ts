import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { compareRpm, parseRpm } from './compare-rpm.js';

export const rpm = {
  id: 'rpm',
  displayName: 'RPM',
  urls: [
    'https://github.com/rpm-software-management/rpm/blob/master/rpmio/rpmvercmp.c',
    'https://github.com/rpm-software-management/rpm/blob/master/tests/rpmvercmp.at',
  ],
  ...parsedApi('rpm', parseRpm, compareRpm),
} satisfies VersionScheme;
