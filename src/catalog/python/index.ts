import type { Cataloger, FileSource } from '../types.js';
import { parsePythonMetadata } from './parse-python-metadata.js';

/** Installed distributions: wheel (.dist-info) and setuptools/distutils (.egg-info dir or file) metadata. */
const METADATA_FILE = /(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\.egg-info)$/;

/**
 * Python packages in site-packages / dist-packages, wherever they are. Files installed by a
 * Debian package are reported too: the engine marks them as owned through dpkg's file lists.
 */
export const pythonCataloger = {
  name: 'python',
  ecosystems: ['pypi'],
  // Core metadata is small; a big METADATA only has a long description after the headers.
  maxSize: 16 * 1024 * 1024,
  matches(file, _ctx) {
    return METADATA_FILE.test(file.path);
  },
  async parse(file: FileSource, _ctx) {
    return parsePythonMetadata(await file.buffer(), file.path);
  },
} satisfies Cataloger;
