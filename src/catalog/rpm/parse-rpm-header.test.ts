import { describe, expect, test } from 'vitest';
import { packageFromHeader, parseRpmHeader, RPMTAG, RpmHeaderError, splitSourceRpm } from './parse-rpm-header.js';

type Value = string | string[] | number[] | Buffer;
const T = { INT32: 4, STRING: 6, STRING_ARRAY: 8 };

/** Builds a header blob (il, dl, index, data) the way rpm lays it out; for hand-made edge cases. */
function header(tags: Record<number, Value>): Buffer {
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let size = 0;
  for (const [tag, value] of Object.entries(tags)) {
    let type: number;
    let count: number;
    let bytes: Buffer;
    if (typeof value === 'string') {
      [type, count, bytes] = [T.STRING, 1, Buffer.from(`${value}\0`)];
    } else if (Buffer.isBuffer(value)) {
      [type, count, bytes] = [T.STRING, 1, Buffer.concat([value, Buffer.from([0])])];
    } else if (value.length && typeof value[0] === 'number') {
      const b = Buffer.alloc(value.length * 4);
      (value as number[]).forEach((n, i) => b.writeUInt32BE(n, i * 4));
      if (size % 4) {
        data.push(Buffer.alloc(4 - (size % 4)));
        size += 4 - (size % 4);
      }
      [type, count, bytes] = [T.INT32, value.length, b];
    } else {
      [type, count, bytes] = [T.STRING_ARRAY, value.length, Buffer.from((value as string[]).map((s) => `${s}\0`).join(''))];
    }
    const e = Buffer.alloc(16);
    e.writeUInt32BE(Number(tag), 0);
    e.writeUInt32BE(type, 4);
    e.writeUInt32BE(size, 8);
    e.writeUInt32BE(count, 12);
    entries.push(e);
    data.push(bytes);
    size += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(size, 4);
  return Buffer.concat([head, ...entries, ...data]);
}

const BASE = { [RPMTAG.NAME]: 'openssl-libs', [RPMTAG.VERSION]: '3.0.7', [RPMTAG.RELEASE]: '24.el9', [RPMTAG.ARCH]: 'x86_64' };
const pkgOf = (tags: Record<number, Value>) => packageFromHeader(parseRpmHeader(header(tags)));

describe('packageFromHeader', () => {
  test.each`
    name                 | extra                                                                        | version              | sourceName   | sourceVersion
    ${'no epoch'}        | ${{ [RPMTAG.SOURCERPM]: 'openssl-3.0.7-24.el9.src.rpm' }}                    | ${'3.0.7-24.el9'}    | ${'openssl'} | ${'3.0.7-24.el9'}
    ${'epoch 1'}         | ${{ [RPMTAG.EPOCH]: [1], [RPMTAG.SOURCERPM]: 'openssl-3.0.7-24.el9.src.rpm' }} | ${'1:3.0.7-24.el9'}  | ${'openssl'} | ${'1:3.0.7-24.el9'}
    ${'epoch 0 is kept'} | ${{ [RPMTAG.EPOCH]: [0] }}                                                   | ${'0:3.0.7-24.el9'}  | ${undefined} | ${undefined}
    ${'nosrc rpm'}       | ${{ [RPMTAG.SOURCERPM]: 'foo-1-2.nosrc.rpm' }}                               | ${'3.0.7-24.el9'}    | ${'foo'}     | ${'1-2'}
    ${'bad SOURCERPM'}   | ${{ [RPMTAG.SOURCERPM]: '(none)' }}                                          | ${'3.0.7-24.el9'}    | ${undefined} | ${undefined}
  `('$name → $version (source $sourceName $sourceVersion)', ({ extra, version, sourceName, sourceVersion }) => {
    const r = pkgOf({ ...BASE, ...extra });
    expect(r?.pkg).toMatchObject({ name: 'openssl-libs', type: 'rpm', version, arch: 'x86_64' });
    expect(r?.pkg.sourceName).toBe(sourceName);
    expect(r?.pkg.sourceVersion).toBe(sourceVersion);
  });

  test.each`
    src                                         | expected
    ${'openssl-3.0.7-24.el9.src.rpm'}           | ${['openssl', '3.0.7-24.el9']}
    ${'python-pip-9.0.3-16.el8.src.rpm'}        | ${['python-pip', '9.0.3-16.el8']}
    ${'kernel-5.14.0-362.8.1.el9_3.src.rpm'}    | ${['kernel', '5.14.0-362.8.1.el9_3']}
    ${'foo.src.rpm'}                            | ${undefined}
    ${'foo-1.0.src.rpm'}                        | ${undefined}
    ${'foo-1-2.rpm'}                            | ${undefined}
  `('splitSourceRpm($src)', ({ src, expected }) => {
    expect(splitSourceRpm(src)).toEqual(expected);
  });

  test('license, vendor and modularity label', () => {
    const r = pkgOf({ ...BASE, [RPMTAG.LICENSE]: 'ASL 2.0', [RPMTAG.VENDOR]: 'Red Hat, Inc.', [RPMTAG.MODULARITYLABEL]: 'nodejs:18:8090020231025:a75119d5' });
    expect(r?.pkg.licenses).toEqual(['ASL 2.0']);
    expect(r?.pkg.metadata).toMatchObject({ vendor: 'Red Hat, Inc.', modularityLabel: 'nodejs:18:8090020231025:a75119d5' });
  });

  test('files from DIRNAMES/DIRINDEXES/BASENAMES', () => {
    const r = pkgOf({ ...BASE, [RPMTAG.DIRINDEXES]: [0, 1, 1], [RPMTAG.BASENAMES]: ['ssl', 'a.so', 'b.so'], [RPMTAG.DIRNAMES]: ['/etc/', '/usr/lib64/'] });
    expect(r?.owned).toEqual({ owner: { type: 'rpm', name: 'openssl-libs' }, paths: ['/etc/ssl', '/usr/lib64/a.so', '/usr/lib64/b.so'] });
  });

  test('files from the legacy OLDFILENAMES', () => {
    const r = pkgOf({ ...BASE, [RPMTAG.OLDFILENAMES]: ['/bin/x', '/etc/y'] });
    expect(r?.owned?.paths).toEqual(['/bin/x', '/etc/y']);
  });

  test.each`
    name                        | files
    ${'index out of range'}     | ${{ [RPMTAG.DIRINDEXES]: [5], [RPMTAG.BASENAMES]: ['x'], [RPMTAG.DIRNAMES]: ['/'] }}
    ${'count mismatch'}         | ${{ [RPMTAG.DIRINDEXES]: [0, 0], [RPMTAG.BASENAMES]: ['x'], [RPMTAG.DIRNAMES]: ['/'] }}
  `('broken file list ($name): package kept, files not owned, problem said', ({ files }) => {
    const r = pkgOf({ ...BASE, ...files });
    expect(r?.pkg.name).toBe('openssl-libs');
    expect(r?.owned).toBeUndefined();
    expect(r?.problem).toMatch(/file list/);
  });

  test('gpg-pubkey pseudo packages are skipped', () => {
    expect(pkgOf({ [RPMTAG.NAME]: 'gpg-pubkey', [RPMTAG.VERSION]: 'fd431d51', [RPMTAG.RELEASE]: '4ae0493b' })).toBeUndefined();
  });

  test.each`
    name                 | tags                                                                                         | message
    ${'no name'}         | ${{ [RPMTAG.VERSION]: '1', [RPMTAG.RELEASE]: '1' }}                                          | ${/no NAME/}
    ${'no release'}      | ${{ [RPMTAG.NAME]: 'x', [RPMTAG.VERSION]: '1' }}                                             | ${/VERSION\/RELEASE/}
    ${'non-UTF-8 name'}  | ${{ [RPMTAG.NAME]: Buffer.from([0x66, 0xff, 0xfe]), [RPMTAG.VERSION]: '1', [RPMTAG.RELEASE]: '1' }} | ${/invalid package name/}
    ${'space in version'}| ${{ [RPMTAG.NAME]: 'x', [RPMTAG.VERSION]: '1 2', [RPMTAG.RELEASE]: '1' }}                    | ${/VERSION/}
  `('$name → RpmHeaderError', ({ tags, message }) => {
    expect(() => pkgOf(tags)).toThrow(message);
  });
});

describe('parseRpmHeader bounds', () => {
  const good = header(BASE);
  const patched = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    f(b);
    return b;
  };

  test.each`
    name                          | blob
    ${'empty'}                    | ${Buffer.alloc(0)}
    ${'7 bytes'}                  | ${Buffer.alloc(7)}
    ${'il = 0'}                   | ${patched((b) => b.writeUInt32BE(0, 0))}
    ${'il huge'}                  | ${patched((b) => b.writeUInt32BE(0xffffffff, 0))}
    ${'dl huge'}                  | ${patched((b) => b.writeUInt32BE(0x7fffffff, 4))}
    ${'truncated'}                | ${good.subarray(0, good.length - 3)}
  `('$name → RpmHeaderError', ({ blob }) => {
    expect(() => parseRpmHeader(blob)).toThrow(RpmHeaderError);
  });

  test.each`
    name                              | patch
    ${'string offset past the data'}  | ${(b: Buffer) => b.writeUInt32BE(0x7fffffff, 8 + 8)}
    ${'string without a NUL'}         | ${(b: Buffer) => b.fill(0x41, 8 + 16 * 4)}
    ${'string array count huge'}      | ${(b: Buffer) => { b.writeUInt32BE(8, 8 + 4); b.writeUInt32BE(0xffffffff, 8 + 12); }}
  `('$name: the tag reads as missing, no throw from the reader', ({ patch }) => {
    const h = parseRpmHeader(patched(patch));
    expect(h.string(RPMTAG.NAME)).toBeUndefined();
  });

  test('int32 count past the data reads as missing', () => {
    const b = header({ ...BASE, [RPMTAG.EPOCH]: [1] });
    b.writeUInt32BE(0x40000000, 8 + 16 * 3 + 12); // entries sort by tag: EPOCH is the 4th
    expect(parseRpmHeader(b).int32s(RPMTAG.EPOCH)).toBeUndefined();
  });

  test('wrong type reads as missing', () => {
    const b = header({ ...BASE, [RPMTAG.EPOCH]: 'not-a-number' });
    expect(parseRpmHeader(b).int32s(RPMTAG.EPOCH)).toBeUndefined();
  });

  test('RpmHeaderError is an Error', () => {
    expect(new RpmHeaderError('x')).toBeInstanceOf(Error);
  });
});
