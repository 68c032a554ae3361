import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { javaArchiveCataloger } from './index.js';
import { catalogJavaArchive } from './parse-archive.js';
import { makeZip, pomProperties } from './__fixtures__/make-zip.js';
import { bufferSource } from '../shared/__fixtures__/sources.js';
import { APP_LAYER_2, filesFromLayer } from '../shared/__fixtures__/oci.js';
import type { FileFacts } from '../types.js';

const JARS = resolve(import.meta.dirname, '__fixtures__/usr/share/java');
const jar = (name: string) => readFileSync(resolve(JARS, name));
const summary = (facts: FileFacts) =>
  facts.packages?.map((p) => `${p.name}@${p.version} ${String(p.metadata?.evidence)} ${p.locations?.join(',')}`);
const codes = (facts: FileFacts) => facts.warnings?.map((w) => w.code) ?? [];

describe('real jars', () => {
  let snakeyaml: Buffer;
  beforeAll(async () => {
    snakeyaml = (await filesFromLayer(APP_LAYER_2, ['app/lib/snakeyaml.jar'])).get('/app/lib/snakeyaml.jar')!.data;
  });

  test('/app/lib/snakeyaml.jar from the app image: org.yaml:snakeyaml 1.33 from pom.properties', async () => {
    const src = bufferSource(snakeyaml, '/app/lib/snakeyaml.jar', 0o644);
    expect(javaArchiveCataloger.matches(src)).toBe(true);
    expect(javaArchiveCataloger.sniff(snakeyaml.subarray(0, 64))).toBe(true);
    const facts = await javaArchiveCataloger.parse(src);
    expect(facts.packages).toEqual([
      {
        name: 'org.yaml:snakeyaml',
        version: '1.33',
        type: 'maven',
        locations: ['/app/lib/snakeyaml.jar'],
        metadata: { evidence: 'pom.properties', pomPath: 'META-INF/maven/org.yaml/snakeyaml/pom.properties', groupId: 'org.yaml', artifactId: 'snakeyaml' },
      },
    ]);
    expect(facts.warnings).toBeUndefined();
    // The central directory and one small entry, not the whole 325 KiB jar.
    expect(src.bytesRead).toBeLessThan(snakeyaml.length / 2);
  });

  // Debian bookworm jars (see __fixtures__/README.md).
  test.each`
    file                                          | expected
    ${'slf4j-nop-1.7.32.jar'}                     | ${['org.slf4j:slf4j-nop@1.7.32 pom.properties']}
    ${'geronimo-interceptor-3.0-spec-1.0.1.jar'}  | ${['org.apache.geronimo.specs:geronimo-interceptor_3.0_spec@1.0.1 pom.properties']}
    ${'atinject-jsr330-api-1.0.jar'}              | ${['javax:Atinject Dependency Injection Annotations@1.0.0 manifest']}
    ${'aopalliance-1.0.jar'}                      | ${['aopalliance@1.0 filename']}
    ${'wagon-http-shaded-3.5.3.jar'}              | ${['commons-codec:commons-codec@1.15 pom.properties', 'org.apache.httpcomponents:httpclient@4.5.14 pom.properties', 'org.apache.httpcomponents:httpcore@4.4.16 pom.properties', 'org.apache.maven.wagon:wagon-http-shared@3.5.3 pom.properties', 'org.apache.maven.wagon:wagon-http@3.5.3 pom.properties']}
  `('$file', async ({ file, expected }) => {
    const path = `/usr/share/java/${file}`;
    const facts = await javaArchiveCataloger.parse(bufferSource(jar(file), path, 0o644));
    expect(summary(facts)?.sort()).toEqual((expected as string[]).map((e) => `${e} ${path}`).sort());
  });
});

describe('nested archives', () => {
  const lib = (name: string, method: 0 | 8 = 8) => ({ name, data: jar(name.slice(name.lastIndexOf('/') + 1)), method });

  test('a war with WEB-INF/lib jars (deflated), inside an ear (stored)', async () => {
    const war = makeZip([
      { name: 'META-INF/MANIFEST.MF', data: Buffer.from('Manifest-Version: 1.0\n') },
      pomProperties('com.example', 'shop', '2.0.1'),
      lib('WEB-INF/lib/slf4j-nop-1.7.32.jar'),
      lib('WEB-INF/lib/aopalliance-1.0.jar'),
    ]);
    const ear = makeZip([{ name: 'shop.war', data: war, method: 0 }, lib('lib/wagon-http-shaded-3.5.3.jar', 0)]);
    const facts = await catalogJavaArchive(bufferSource(ear), '/opt/app.ear');
    expect(summary(facts)).toEqual([
      'com.example:shop@2.0.1 pom.properties /opt/app.ear!/shop.war',
      'org.slf4j:slf4j-nop@1.7.32 pom.properties /opt/app.ear!/shop.war!/WEB-INF/lib/slf4j-nop-1.7.32.jar',
      'aopalliance@1.0 filename /opt/app.ear!/shop.war!/WEB-INF/lib/aopalliance-1.0.jar',
      'commons-codec:commons-codec@1.15 pom.properties /opt/app.ear!/lib/wagon-http-shaded-3.5.3.jar',
      'org.apache.httpcomponents:httpclient@4.5.14 pom.properties /opt/app.ear!/lib/wagon-http-shaded-3.5.3.jar',
      'org.apache.httpcomponents:httpcore@4.4.16 pom.properties /opt/app.ear!/lib/wagon-http-shaded-3.5.3.jar',
      'org.apache.maven.wagon:wagon-http-shared@3.5.3 pom.properties /opt/app.ear!/lib/wagon-http-shaded-3.5.3.jar',
      'org.apache.maven.wagon:wagon-http@3.5.3 pom.properties /opt/app.ear!/lib/wagon-http-shaded-3.5.3.jar',
    ]);
    expect(facts.warnings).toBeUndefined();
  });

  test('a Spring Boot fat jar with a launch script and stored BOOT-INF/lib jars', async () => {
    const boot = makeZip(
      [
        { name: 'META-INF/MANIFEST.MF', data: Buffer.from('Main-Class: org.springframework.boot.loader.JarLauncher\nStart-Class: com.example.App\n') },
        pomProperties('com.example', 'demo', '0.0.1-SNAPSHOT'),
        lib('BOOT-INF/lib/slf4j-nop-1.7.32.jar', 0),
        lib('BOOT-INF/lib/geronimo-interceptor-3.0-spec-1.0.1.jar', 0),
      ],
      { prefix: Buffer.from('#!/bin/bash\nexec java -jar "$0" "$@"\n') },
    );
    expect(javaArchiveCataloger.sniff(boot.subarray(0, 64))).toBe(true);
    const facts = await javaArchiveCataloger.parse(bufferSource(boot, '/app/demo.jar', 0o755));
    expect(facts.packages?.map((p) => `${p.name}@${p.version}`)).toEqual([
      'com.example:demo@0.0.1-SNAPSHOT',
      'org.slf4j:slf4j-nop@1.7.32',
      'org.apache.geronimo.specs:geronimo-interceptor_3.0_spec@1.0.1',
    ]);
  });

  test('nesting deeper than the limit is a warning; the levels above are reported', async () => {
    let inner = makeZip([pomProperties('g', 'level12', '1.0')]);
    for (let level = 11; level >= 0; level--) {
      inner = makeZip([pomProperties('g', `level${level}`, '1.0'), { name: `lib/l${level + 1}.jar`, data: inner, method: level % 2 ? 0 : 8 }]);
    }
    const facts = await catalogJavaArchive(bufferSource(inner), '/deep.jar');
    expect(facts.packages?.map((p) => p.name)).toEqual(Array.from({ length: 9 }, (_, i) => `g:level${i}`));
    expect(codes(facts)).toEqual(['java-archive-too-deep']);
  });
});

describe('hostile archives', () => {
  test('zip bomb: 200 MiB of zeros as a nested jar is skipped by size, memory stays small', async () => {
    const zeros = Buffer.alloc(200 * 1024 * 1024);
    const bomb = makeZip([pomProperties('g', 'outer', '1'), { name: 'lib/bomb.jar', data: zeros }]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const facts = await catalogJavaArchive(bufferSource(bomb), '/bomb.jar');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(facts.packages?.map((p) => p.name)).toEqual(['g:outer']);
    expect(codes(facts)).toEqual(['java-archive-too-large']);
  });

  test('a nested jar that lies about its size (declares 1 KiB, inflates to 50 MiB) is cut off', async () => {
    const liar = makeZip([pomProperties('g', 'outer', '1'), { name: 'lib/liar.jar', data: Buffer.alloc(50 * 1024 * 1024), declaredSize: 1024 }]);
    const facts = await catalogJavaArchive(bufferSource(liar), '/liar.jar');
    expect(facts.packages?.map((p) => p.name)).toEqual(['g:outer']);
    expect(codes(facts)).toEqual(['java-archive-corrupt']);
  });

  test('declared sizes of 4 GiB on pom.properties are refused without reading', async () => {
    const z = makeZip([{ ...pomProperties('g', 'a', '1'), declaredSize: 0xffffffff }]);
    const facts = await catalogJavaArchive(bufferSource(z), '/x.jar');
    expect(facts.packages).toEqual([]);
    expect(codes(facts)).toEqual(['java-archive-entry-unreadable']);
  });

  test('overlapping entries (one stored jar referenced 3000 times, each containing the same) stop at the archive cap', async () => {
    const leaf = makeZip([pomProperties('g', 'leaf', '1')]);
    // 3000 central entries, all with the same data: a "quine"-style fan-out that would be 3000^n.
    const one = makeZip(Array.from({ length: 3000 }, (_, i) => ({ name: `lib/${i}.jar`, data: leaf, method: 0 as const })));
    const two = makeZip(Array.from({ length: 3 }, (_, i) => ({ name: `x/${i}.jar`, data: one, method: 0 as const })));
    const t0 = Date.now();
    const facts = await catalogJavaArchive(bufferSource(two), '/fan.jar', { maxArchives: 5000 });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(facts.packages!.length).toBeLessThanOrEqual(5000);
    expect(codes(facts)).toContain('java-archive-too-many-nested');
  });

  test('non-UTF-8 entry names are a warning, the rest is read', async () => {
    const z = makeZip([{ name: Buffer.from([0x6c, 0x69, 0x62, 0x2f, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]), data: Buffer.from('x'), utf8: false }, pomProperties('g', 'a', '2')]);
    const facts = await catalogJavaArchive(bufferSource(z), '/n.jar');
    expect(facts.packages?.map((p) => `${p.name}@${p.version}`)).toEqual(['g:a@2']);
    expect(codes(facts)).toEqual(['java-archive-name-encoding']);
  });

  test('"../" and absolute entry names do not abort the archive', async () => {
    const z = makeZip([{ name: '../../etc/passwd', data: Buffer.from('x') }, { name: '/abs', data: Buffer.from('x') }, pomProperties('g', 'a', '3')]);
    expect((await catalogJavaArchive(bufferSource(z), '/p.jar')).packages?.map((p) => p.version)).toEqual(['3']);
  });

  test('a corrupt nested jar is a warning; siblings are still read', async () => {
    const bad = Buffer.from('PK\x03\x04 this is not really a zip', 'latin1');
    const z = makeZip([{ name: 'lib/bad.jar', data: bad }, { name: 'lib/slf4j-nop-1.7.32.jar', data: readFileSync(resolve(JARS, 'slf4j-nop-1.7.32.jar')) }]);
    const facts = await catalogJavaArchive(bufferSource(z), '/w.war');
    expect(facts.packages?.map((p) => p.name)).toEqual(['org.slf4j:slf4j-nop']);
    expect(facts.warnings).toEqual([expect.objectContaining({ code: 'java-archive-corrupt', location: '/w.war!/lib/bad.jar' })]);
  });

  test.each([
    ['empty file', Buffer.alloc(0)],
    ['not a zip', Buffer.from('hello world, this is plain text and nothing else')],
    ['central directory offset past the end', (() => {
      const z = makeZip([pomProperties('g', 'a', '1')]);
      z.writeUInt32LE(0x7fffffff, z.length - 6);
      return z;
    })()],
    ['truncated in the middle', makeZip([pomProperties('g', 'a', '1'), pomProperties('g', 'b', '1')]).subarray(0, 120)],
  ])('a corrupt top-level archive throws a VigilError (%s)', async (_name, buf) => {
    await expect(catalogJavaArchive(bufferSource(buf), '/c.jar')).rejects.toMatchObject({ name: 'VigilError', code: 'java-archive-corrupt' });
  });

  test('a pom.properties without a version falls back to the manifest', async () => {
    const z = makeZip([
      { name: 'META-INF/maven/g/a/pom.properties', data: Buffer.from('groupId=g\nartifactId=a\n') },
      { name: 'META-INF/MANIFEST.MF', data: Buffer.from('Implementation-Title: a\nImplementation-Vendor-Id: g\nImplementation-Version: 4.5\n') },
    ]);
    const facts = await catalogJavaArchive(bufferSource(z), '/m.jar');
    expect(summary(facts)).toEqual(['g:a@4.5 manifest /m.jar']);
    expect(codes(facts)).toEqual(['java-pom-properties-no-version']);
  });
});

test.each`
  path                          | expected
  ${'/app/lib/x.jar'}           | ${true}
  ${'/opt/jboss/app.EAR'}       | ${true}
  ${'/var/jenkins/plugins/git.hpi'} | ${true}
  ${'/var/jenkins/plugins/git.jpi'} | ${true}
  ${'/opt/nifi/lib/x.nar'}      | ${true}
  ${'/app/x.jar.sha1'}          | ${false}
  ${'/app/x.zip'}               | ${false}
`('matches($path) === $expected', ({ path, expected }) => {
  expect(javaArchiveCataloger.matches({ path, mode: 0o644, size: 10 })).toBe(expected);
});
