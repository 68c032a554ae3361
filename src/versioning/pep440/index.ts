/**
 * Python package versions (PEP 440: epochs, pre/post/dev releases, local versions), read and
 * ordered by `@renovatebot/pep440`, a port of pypa/packaging's `Version`.
 * https://peps.python.org/pep-0440/ · https://packaging.python.org/en/latest/specifications/version-specifiers/
 */
import * as pep440Lib from '@renovatebot/pep440';
import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';

export const pep440 = {
  id: 'pep440',
  displayName: 'Python (PEP 440)',
  urls: ['https://peps.python.org/pep-0440/', 'https://github.com/renovatebot/pep440'],
  ...parsedApi(
    'pep440',
    // packaging strips surrounding whitespace before matching; the library does not.
    (v) => pep440Lib.valid(v.trim()),
    (a, b) => pep440Lib.compare(a, b),
  ),
} satisfies VersionScheme;
