import { expect, test } from 'vitest';
import { parseChallenges } from './challenge.js';

test.each`
  header | expected
  ${'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"'} | ${[{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/debian:pull' } }]}
  ${'Basic realm="Registry Realm"'} | ${[{ scheme: 'basic', params: { realm: 'Registry Realm' } }]}
  ${'BEARER Realm=https://h/t, Service=s'} | ${[{ scheme: 'bearer', params: { realm: 'https://h/t', service: 's' } }]}
  ${'Basic realm="a, b", Bearer realm="https://x/token",scope="repository:a/b:pull,push"'} | ${[{ scheme: 'basic', params: { realm: 'a, b' } }, { scheme: 'bearer', params: { realm: 'https://x/token', scope: 'repository:a/b:pull,push' } }]}
  ${'Bearer realm="q\\"uote"'} | ${[{ scheme: 'bearer', params: { realm: 'q"uote' } }]}
  ${'Negotiate'} | ${[{ scheme: 'negotiate', params: {} }]}
  ${''} | ${[]}
  ${'=,,='} | ${[]}
`('parseChallenges($header)', ({ header, expected }) => {
  expect(parseChallenges(header)).toEqual(expected);
});

test('several header lines are one list', () => {
  expect(parseChallenges(['Basic realm="r"', 'Bearer realm="https://t"']).map((c) => c.scheme)).toEqual(['basic', 'bearer']);
});
