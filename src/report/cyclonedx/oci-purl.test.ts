import { describe, expect, test } from 'vitest';
import type { Artifact } from '../../core/types.js';
import { ociPurl } from './oci-purl.js';

const digest = 'sha256:' + '0'.repeat(63) + '1';

describe('ociPurl (purl-spec oci type)', () => {
  test.each`
    name                                       | extra                                     | expected
    ${'debian:12'}                             | ${{ platform: 'linux/amd64' }}            | ${`pkg:oci/debian@${digest}?arch=amd64&repository_url=docker.io/library/debian&tag=12`}
    ${'ghcr.io/acme/Team/App:1.0'}             | ${{}}                                     | ${`pkg:oci/app@${digest}?repository_url=ghcr.io/acme/Team/App&tag=1.0`}
    ${'localhost:5000/app@' + digest}          | ${{}}                                     | ${`pkg:oci/app@${digest}?repository_url=localhost:5000/app`}
    ${'bitnami/redis'}                         | ${{}}                                     | ${`pkg:oci/redis@${digest}?repository_url=docker.io/bitnami/redis`}
    ${'oci:/tmp/layout:app'}                   | ${{}}                                     | ${`pkg:oci/app@${digest}?tag=app`}
    ${'docker-archive:/tmp/app.docker.tar'}    | ${{ repoTags: ['fixtures/app:latest'] }}  | ${`pkg:oci/app@${digest}?tag=latest`}
    ${'docker-archive:/tmp/app.docker.tar'}    | ${{}}                                     | ${`pkg:oci/app.docker@${digest}`}
  `('$name → $expected', ({ name, extra, expected }) => {
    const a: Artifact = { type: 'image', name, digest, ...extra };
    // packageurl-js percent-encodes "/" in qualifier values; decoders read both forms alike.
    expect(decodeURIComponent(ociPurl(a)!)).toBe(expected);
  });

  test('no purl without a digest, or for a non-image artifact', () => {
    expect(ociPurl({ type: 'image', name: 'debian:12' })).toBeUndefined();
    expect(ociPurl({ type: 'rootfs', name: '/mnt/root', digest })).toBeUndefined();
  });
});
