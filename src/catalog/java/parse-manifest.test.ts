import { describe, expect, test } from 'vitest';
import { coordinatesFromFileName, coordinatesFromManifest, parseManifest } from './parse-manifest.js';
import { parseProperties } from './parse-properties.js';

describe('parseManifest', () => {
  test('main section only, with continuation lines and CRLF', () => {
    const m = parseManifest(
      'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-datab\r\n ind\r\nBundle-Version: 2.13.4\r\n\r\nName: a/b/\r\nImplementation-Version: 9\r\n',
    );
    expect(m.get('Bundle-SymbolicName')).toBe('com.fasterxml.jackson.core.jackson-databind');
    expect(m.get('Implementation-Version')).toBeUndefined();
  });

  test.each`
    manifest                                                                                                   | expected
    ${'Implementation-Title: log4j-core\nImplementation-Vendor-Id: org.apache.logging.log4j\nImplementation-Version: 2.14.1'} | ${{ groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: '2.14.1' }}
    ${'Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind;singleton:=true\nBundle-Name: jackson-databind\nBundle-Version: 2.13.4'} | ${{ groupId: 'com.fasterxml.jackson.core', artifactId: 'jackson-databind', version: '2.13.4' }}
    ${'Specification-Title: Java Servlet\nSpecification-Vendor: Oracle\nSpecification-Version: 4.0'}             | ${{ groupId: 'Oracle', artifactId: 'Java Servlet', version: '4.0' }}
    ${'Implementation-Title: thing\nImplementation-Version: 1.0'}                                               | ${{ artifactId: 'thing', version: '1.0' }}
    ${'Implementation-Title: thing'}                                                                           | ${undefined}
    ${'Manifest-Version: 1.0\nCreated-By: 17.0.5 (Debian)'}                                                    | ${undefined}
  `('coordinatesFromManifest → $expected', ({ manifest, expected }) => {
    expect(coordinatesFromManifest(parseManifest(manifest))).toEqual(expected);
  });
});

test.each`
  file                                    | expected
  ${'commons-lang3-3.12.0.jar'}           | ${{ artifactId: 'commons-lang3', version: '3.12.0' }}
  ${'/app/lib/spring-core-5.3.4-SNAPSHOT.jar'} | ${{ artifactId: 'spring-core', version: '5.3.4-SNAPSHOT' }}
  ${'geronimo-interceptor-3.0-spec-1.0.1.jar'} | ${{ artifactId: 'geronimo-interceptor-3.0-spec', version: '1.0.1' }}
  ${'aopalliance-1.0.jar'}                | ${{ artifactId: 'aopalliance', version: '1.0' }}
  ${'snakeyaml.jar'}                      | ${undefined}
  ${'app.war'}                            | ${undefined}
`('coordinatesFromFileName("$file")', ({ file, expected }) => {
  expect(coordinatesFromFileName(file)).toEqual(expected);
});

test.each`
  text                                           | key            | value
  ${'version=1.33'}                              | ${'version'}   | ${'1.33'}
  ${'version : 1.33'}                            | ${'version'}   | ${'1.33'}
  ${'version 1.33'}                              | ${'version'}   | ${'1.33'}
  ${'  groupId=org.\\\n    yaml'}                | ${'groupId'}   | ${'org.yaml'}
  ${'# comment\n!other\nartifactId=a\\u00e9'}    | ${'artifactId'} | ${'aé'}
  ${'key\\=with\\:seps=v'}                       | ${'key=with:seps'} | ${'v'}
`('parseProperties($text).get($key) === $value', ({ text, key, value }) => {
  expect(parseProperties(text).get(key)).toBe(value);
});
