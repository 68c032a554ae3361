import { PackageURL } from 'packageurl-js';
import { describe, expect, test } from 'vitest';
import type { OsInfo } from '../core/types.js';
import { purlFor } from './purl.js';
import type { FoundPackage } from './types.js';

const debian: OsInfo = { family: 'debian', version: '12' };
const alpine: OsInfo = { family: 'alpine', version: '3.15.4' };
const rocky: OsInfo = { family: 'rocky', version: '9.3' };

describe('purlFor', () => {
  test.each`
    pkg                                                                                  | os         | expected
    ${{ type: 'deb', name: 'bsdutils', version: '1:2.38.1-5+deb12u3', arch: 'amd64' }}  | ${debian}  | ${'pkg:deb/debian/bsdutils@2.38.1-5+deb12u3?arch=amd64&distro=debian-12&epoch=1'}
    ${{ type: 'deb', name: 'adduser', version: '3.134', arch: 'all' }}                  | ${debian}  | ${'pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12'}
    ${{ type: 'apk', name: 'zlib', version: '1.2.12-r0', arch: 'x86_64' }}              | ${alpine}  | ${'pkg:apk/alpine/zlib@1.2.12-r0?arch=x86_64&distro=3.15.4'}
    ${{ type: 'rpm', name: 'bash', version: '1:5.1.8-6.el9', arch: 'x86_64' }}          | ${rocky}   | ${'pkg:rpm/rocky/bash@5.1.8-6.el9?arch=x86_64&distro=rocky-9.3&epoch=1'}
    ${{ type: 'npm', name: '@babel/core', version: '7.1.0' }}                           | ${debian}  | ${'pkg:npm/%40babel/core@7.1.0'}
    ${{ type: 'pypi', name: 'Charset_Normalizer', version: '3.0.1' }}                   | ${debian}  | ${'pkg:pypi/charset-normalizer@3.0.1'}
    ${{ type: 'golang', name: 'github.com/x/y', version: 'v1.2.3' }}                    | ${debian}  | ${'pkg:golang/github.com/x/y@v1.2.3'}
    ${{ type: 'golang', name: 'stdlib', version: '1.19.8' }}                            | ${debian}  | ${'pkg:golang/stdlib@1.19.8'}
    ${{ type: 'maven', name: 'org.yaml:snakeyaml', version: '1.33' }}                   | ${debian}  | ${'pkg:maven/org.yaml/snakeyaml@1.33'}
    ${{ type: 'maven', name: 'commons-lang3', version: '3.12.0' }}                      | ${debian}  | ${'pkg:maven/commons-lang3/commons-lang3@3.12.0'}
    ${{ type: 'composer', name: 'symfony/console', version: '5.4.1' }}                  | ${debian}  | ${'pkg:composer/symfony/console@5.4.1'}
    ${{ type: 'cargo', name: 'serde', version: '1.0.1' }}                               | ${debian}  | ${'pkg:cargo/serde@1.0.1'}
    ${{ type: 'gem', name: 'rack', version: '2.2.3' }}                                  | ${debian}  | ${'pkg:gem/rack@2.2.3'}
    ${{ type: 'nuget', name: 'Newtonsoft.Json', version: '13.0.1' }}                    | ${debian}  | ${'pkg:nuget/Newtonsoft.Json@13.0.1'}
  `('$pkg.type $pkg.name → $expected', ({ pkg, os, expected }) => {
    expect(purlFor(pkg as FoundPackage, os)).toBe(expected);
    expect(() => PackageURL.fromString(expected)).not.toThrow();
  });

  test('a name purl-spec rejects never throws: a generic purl keeps the scan going', () => {
    const p = purlFor({ type: 'npm', name: '@scope/', version: '1.0.0' } as FoundPackage, undefined);
    expect(() => PackageURL.fromString(p)).not.toThrow();
  });
});
