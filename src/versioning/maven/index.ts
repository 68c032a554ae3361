import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { compareLists, parseMaven } from './compare-maven.js';

export const maven = {
  id: 'maven',
  displayName: 'Maven (ComparableVersion)',
  urls: [
    'https://maven.apache.org/pom.html#version-order-specification',
    'https://github.com/apache/maven/blob/maven-3.9.x/maven-artifact/src/main/java/org/apache/maven/artifact/versioning/ComparableVersion.java',
  ],
  ...parsedApi('maven', parseMaven, compareLists),
} satisfies VersionScheme;
