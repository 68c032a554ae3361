import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { normalizeComposer, phpVersionCompare } from './compare-composer.js';

export const composer = {
  id: 'composer',
  displayName: 'Composer (Packagist)',
  urls: [
    'https://getcomposer.org/doc/articles/versions.md',
    'https://github.com/composer/semver/blob/main/src/VersionParser.php',
    'https://www.php.net/manual/function.version-compare.php',
  ],
  ...parsedApi('composer', normalizeComposer, phpVersionCompare),
} satisfies VersionScheme;
