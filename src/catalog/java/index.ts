import type { Cataloger, FileMeta } from '../types.js';
import { catalogJavaArchive, isJavaArchiveName } from './parse-archive.js';

/**
 * Java archives (jar, war, ear and friends): Maven coordinates from every
 * META-INF/maven/<group>/<artifact>/pom.properties, including those of shaded dependencies and of
 * nested archives; else from MANIFEST.MF; else from the file name. The metadata says which.
 */
export const javaArchiveCataloger = {
  name: 'java-archive',
  ecosystems: ['maven'],
  // The central directory and a few entries are read through random access; fat jars and
  // application-server ears of several hundred MiB are common.
  maxSize: 2 * 1024 * 1024 * 1024,
  matches(file: FileMeta): boolean {
    return isJavaArchiveName(file.path);
  },
  sniff(head: Buffer): boolean {
    // A local file header, an empty archive's end record, or a launch script in front of the zip
    // (Spring Boot's "fully executable" jars start with #!/bin/bash).
    if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) return true;
    return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
  },
  parse(file) {
    return catalogJavaArchive(file, file.path);
  },
} satisfies Cataloger;
