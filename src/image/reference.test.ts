import { describe, expect, test } from 'vitest';
import { VigilError } from '../core/errors.js';
import { familiarName, normalizeReference, parseReference } from './reference.js';

const D = 'sha256:4d79cde1375a14cf3071ad4b104fe4ca8ec5cc6a3e94299280af0ff645653b9e';

describe('parseReference', () => {
  test.each`
    ref                                      | registry                  | repository            | tag         | digest
    ${'debian:12'}                           | ${'registry-1.docker.io'} | ${'library/debian'}   | ${'12'}     | ${undefined}
    ${'debian'}                              | ${'registry-1.docker.io'} | ${'library/debian'}   | ${'latest'} | ${undefined}
    ${'docker.io/x/y'}                       | ${'registry-1.docker.io'} | ${'x/y'}              | ${'latest'} | ${undefined}
    ${'docker.io/debian:12'}                 | ${'registry-1.docker.io'} | ${'library/debian'}   | ${'12'}     | ${undefined}
    ${'index.docker.io/library/debian'}      | ${'registry-1.docker.io'} | ${'library/debian'}   | ${'latest'} | ${undefined}
    ${'bitnami/redis:7.2'}                   | ${'registry-1.docker.io'} | ${'bitnami/redis'}    | ${'7.2'}    | ${undefined}
    ${'quay.io/prometheus/node-exporter:v1'} | ${'quay.io'}              | ${'prometheus/node-exporter'} | ${'v1'} | ${undefined}
    ${'127.0.0.1:5000/demo/app:1'}           | ${'127.0.0.1:5000'}       | ${'demo/app'}         | ${'1'}      | ${undefined}
    ${'localhost/app'}                       | ${'localhost'}            | ${'app'}              | ${'latest'} | ${undefined}
    ${'localhost:5000/a/b/c'}                | ${'localhost:5000'}       | ${'a/b/c'}            | ${'latest'} | ${undefined}
    ${'[::1]:5000/demo/app:1'}               | ${'[::1]:5000'}           | ${'demo/app'}         | ${'1'}      | ${undefined}
    ${'Registry.Example.com/app'}            | ${'registry.example.com'} | ${'app'}              | ${'latest'} | ${undefined}
    ${`debian@${D}`}                         | ${'registry-1.docker.io'} | ${'library/debian'}   | ${undefined} | ${D}
    ${`ghcr.io/o/r:1.0@${D}`}                | ${'ghcr.io'}              | ${'o/r'}              | ${'1.0'}    | ${D}
    ${'a/b__c/d-e--f/g.h_i:T_a.g-1'}         | ${'registry-1.docker.io'} | ${'a/b__c/d-e--f/g.h_i'} | ${'T_a.g-1'} | ${undefined}
  `('$ref → $registry / $repository : $tag @ $digest', ({ ref, registry, repository, tag, digest }) => {
    const r = parseReference(ref);
    expect(r).toEqual({
      registry,
      repository,
      original: ref,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
    });
  });

  test.each([
    '',
    'Debian:12',
    'debian:',
    'debian:-bad',
    `debian:${'x'.repeat(129)}`,
    'debian@sha256:abc',
    'debian@md5:0123456789abcdef0123456789abcdef',
    'host:5000/',
    'host:port/app',
    'a//b',
    'a/-b',
    'a/b_',
    'a/b___c',
    'with space:1',
    'bad_host.io:5000/x',
    `x/${'a'.repeat(260)}`,
  ])('rejects %j with bad-reference', (ref) => {
    let err: unknown;
    try {
      parseReference(ref);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('bad-reference');
    expect((err as VigilError).kind).toBe('usage');
  });
});

test.each`
  ref                                 | normalised                                       | familiar
  ${'debian:12'}                      | ${'registry-1.docker.io/library/debian:12'}      | ${'debian:12'}
  ${'docker.io/x/y'}                  | ${'registry-1.docker.io/x/y:latest'}             | ${'x/y:latest'}
  ${'127.0.0.1:5000/demo/app@' + D}   | ${'127.0.0.1:5000/demo/app@' + D}                | ${'127.0.0.1:5000/demo/app@' + D}
  ${'[::1]:5000/x:1'}                 | ${'[::1]:5000/x:1'}                              | ${'[::1]:5000/x:1'}
`('normalizeReference($ref) === $normalised', ({ ref, normalised, familiar }) => {
  expect(normalizeReference(ref)).toBe(normalised);
  expect(familiarName(parseReference(ref))).toBe(familiar);
});
