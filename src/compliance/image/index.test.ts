import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, test } from 'vitest';
import { openImage, type OciImageConfig, type ResolvedImage } from '../../image/index.js';
import { runImageChecks, runImageChecksWithInventory } from './index.js';

const OCI = '/work/shared/fixtures/images/oci';
const fixture = (tag: string) => (process.env.VIGIL_FIXTURES ? `${process.env.VIGIL_FIXTURES}/oci` : OCI) + `:${tag}`;

/** Counts how many times each layer blob is opened. */
function counting(img: ResolvedImage): { img: ResolvedImage; opens: () => number } {
  let n = 0;
  const layers = img.layers.map((l) => ({ ...l, open: () => (n++, l.open()) }));
  return { img: { ...img, layers }, opens: () => n };
}

const byId = (r: Awaited<ReturnType<typeof runImageChecks>>, id: string) => r.results.find((x) => x.id === id)!;

describe('app-insecure fixture', () => {
  test('the outcomes its inventory lists, in one pass over the layers', async () => {
    const opened = await openImage(`oci:${fixture('app-insecure')}`);
    try {
      const { img, opens } = counting(opened);
      const t0 = performance.now();
      const report = await runImageChecks(img);
      const ms = performance.now() - t0;
      expect(opens()).toBe(img.layers.length);
      expect(ms).toBeLessThan(5000);

      expect(report).toMatchObject({ schemaVersion: 1, benchmark: 'vigil-image-1', target: { type: 'image' } });
      expect(report.results.map((r) => [r.id, r.level])).toEqual([
        ['I.4.1', 'WARN'],
        ['I.4.6', 'WARN'],
        ['I.4.8', 'WARN'],
        ['I.4.9', 'WARN'],
        ['I.4.10', 'WARN'],
      ]);
      expect(report.summary).toEqual({ PASS: 0, WARN: 5, INFO: 0, NOTE: 0, MANUAL: 0, ERROR: 0 });
      for (const r of report.results) expect(r).toMatchObject({ type: 'image', scored: true, automated: true });

      expect(byId(report, 'I.4.1').evidence).toEqual(['config User is "0:0" (root)']);
      expect(byId(report, 'I.4.6').evidence).toEqual(['no HEALTHCHECK in the image config']);

      const setid = byId(report, 'I.4.8').evidence;
      expect(setid[0]).toBe('/usr/local/bin/netcheck (mode 4755, owner root): setuid, not installed by an OS package (layer 5)');
      expect(setid.filter((e) => !e.includes('accepted'))).toHaveLength(1);
      expect(setid).toContain('/usr/bin/passwd (mode 4755, owner root): setuid, accepted: installed by deb package passwd');

      expect(byId(report, 'I.4.9').evidence).toEqual([expect.stringMatching(/^layer 5: ADD rootfs-extras\.tar \//)]);

      expect(byId(report, 'I.4.10').evidence).toEqual([
        'env API_TOKEN: GitHub token (ghp_…)',
        '/app/.env line 1: database URL with a password (postgres) (S3…)',
        '/app/.env line 2: AWS access key id (AKIA…)',
        '/app/.env line 3: AWS secret access key in aws_secret_access_key (q8Jd…)',
        '/app/config/deploy_key.pem line 1: RSA private key (-----BEGIN PRIVATE KEY-----)',
      ]);

      // No secret value anywhere in the report: not the token, not the keys, not the password.
      const json = JSON.stringify(report);
      const token = (opened.config.config?.Env ?? []).find((e) => e.startsWith('API_TOKEN='))!.slice('API_TOKEN='.length);
      for (const secret of [token, 'AKIAZ4X7QW2JHN3PLR5T', 'q8Jd7Kp2Lm9Xz4Rt6Vb1Nc3Hs5Wy0Ge8Fa2Ui7Yo', 'S3cr3t-Passw0rd']) {
        expect(json).not.toContain(secret);
        expect(json).not.toContain(secret.slice(0, 8));
      }
      expect(json).not.toMatch(/MII[A-Za-z0-9+/]{20}/); // no base64 of the key body
    } finally {
      await opened.close();
    }
  });

  test('inventory and image checks share one pass', async () => {
    const opened = await openImage(`oci:${fixture('app-insecure')}`);
    try {
      const { img, opens } = counting(opened);
      const { inventory, compliance } = await runImageChecksWithInventory(img);
      expect(opens()).toBe(img.layers.length);
      expect(inventory.packages.some((p) => p.type === 'golang' && p.locations.includes('/usr/local/bin/netcheck'))).toBe(true);
      expect(compliance.summary.WARN).toBe(5);
    } finally {
      await opened.close();
    }
  });
});

test('debian12 passes I.4.8 (its set-id programs come from dpkg) and I.4.10', async () => {
  const img = await openImage(`oci:${fixture('debian12')}`);
  try {
    const report = await runImageChecks(img);
    expect(byId(report, 'I.4.8').level).toBe('PASS');
    expect(byId(report, 'I.4.8').evidence).toContain('/usr/bin/su (mode 4755, owner root): setuid, accepted: installed by deb package util-linux');
    expect(byId(report, 'I.4.8').evidence.every((e) => e.includes('accepted'))).toBe(true);
    expect(byId(report, 'I.4.10')).toMatchObject({ level: 'PASS' });
    expect(byId(report, 'I.4.9').level).toBe('PASS');
    expect(byId(report, 'I.4.1').level).toBe('WARN');
  } finally {
    await img.close();
  }
});

// --- synthetic images -----------------------------------------------------------------------

interface Entry {
  name: string;
  mode?: number;
  body?: Buffer | string;
  size?: number;
  type?: 'file' | 'symlink' | 'link';
  linkname?: string;
  uid?: number;
}

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    const header = { name: e.name, mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: 0, type: e.type ?? 'file', linkname: e.linkname };
    if (e.type === 'symlink' || e.type === 'link') {
      pack.entry(header);
      continue;
    }
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    await new Promise<void>((resolve, reject) => pack.entry({ ...header, size: body.length }, body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A blob stream that delivers its bytes after the reader is attached, as a file stream does. */
function streamOf(b: Buffer): PassThrough {
  const p = new PassThrough();
  setImmediate(() => p.end(b));
  return p;
}

async function syntheticImage(layers: Entry[][], config: OciImageConfig['config'] = {}, history: OciImageConfig['history'] = []): Promise<ResolvedImage> {
  const blobs = await Promise.all(layers.map(tarOf));
  const diffIds = blobs.map((b) => `sha256:${createHash('sha256').update(b).digest('hex')}`);
  return {
    name: 'synthetic',
    configDigest: 'sha256:' + '0'.repeat(64),
    config: { config, history, rootfs: { type: 'layers', diff_ids: diffIds } },
    layers: blobs.map((b, index) => ({ index, digest: diffIds[index]!, diffId: diffIds[index]!, mediaType: 'application/vnd.oci.image.layer.v1.tar', size: b.length, open: async () => streamOf(b) })),
    platform: 'linux/amd64',
    repoTags: [],
    repoDigests: [],
    close: async () => {},
  };
}

describe('synthetic images', () => {
  test('hostile: a 3 MiB .env is not read, a binary .env is not scanned, and nothing hangs', async () => {
    const huge = Buffer.alloc(3 * 1024 * 1024, 'A');
    huge.write('PASSWORD=' + 'x'.repeat(20), 0);
    const binary = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]), Buffer.from('AWS_SECRET_ACCESS_KEY=' + 'Q'.repeat(40))]);
    const longLine = 'password=' + 'a'.repeat(900 * 1024);
    const img = await syntheticImage([[{ name: 'app/.env', body: huge }, { name: 'srv/.env', body: binary }, { name: 'opt/app/config.json', body: longLine }]], { User: 'app' });
    const t0 = performance.now();
    const report = await runImageChecks(img);
    expect(performance.now() - t0).toBeLessThan(3000);
    const secrets = byId(report, 'I.4.10');
    expect(secrets.level).toBe('PASS');
    expect(secrets.evidence).toEqual([`/app/.env: not scanned, ${huge.length} bytes is over the 1 MiB limit`, '/srv/.env: not scanned, binary content']);
    expect(byId(report, 'I.4.1')).toMatchObject({ level: 'PASS', evidence: ['config User is "app"'] });
  });

  test('I.4.8: a later chmod a-s clears a setuid file; a whiteout removes one; a chmod u+s on a package file is not excused', async () => {
    const dpkgList = (pkg: string, paths: string[]) => ({ name: `var/lib/dpkg/info/${pkg}.list`, body: ['/.', ...paths].join('\n') + '\n' });
    const img = await syntheticImage([
      [
        { name: 'usr/bin/passwd', mode: 0o4755, body: 'elf' },
        { name: 'usr/bin/find', mode: 0o755, body: 'elf' },
        { name: 'usr/local/bin/tool', mode: 0o4755, body: 'elf' },
        { name: 'opt/gone', mode: 0o6755, body: 'elf' },
        dpkgList('passwd', ['/usr/bin/passwd']),
        dpkgList('findutils', ['/usr/bin/find']),
      ],
      [
        { name: 'usr/local/bin/tool', mode: 0o755, body: 'elf' },
        { name: 'opt/.wh.gone', body: '' },
        { name: 'usr/bin/find', mode: 0o4755, body: 'elf' },
        { name: 'usr/bin/find2', type: 'link', linkname: 'usr/bin/find' },
      ],
    ]);
    const setid = byId(await runImageChecks(img), 'I.4.8');
    expect(setid.level).toBe('WARN');
    expect(setid.evidence).toEqual([
      '/usr/bin/find (mode 4755, owner root): setuid, changed after deb package findutils installed it (layer 2)',
      '/usr/bin/find2 (mode 4755, owner root): setuid, not installed by an OS package (layer 2)',
      '/usr/bin/passwd (mode 4755, owner root): setuid, accepted: installed by deb package passwd',
    ]);
  });

  test('I.4.1 / I.4.6 / I.4.9 from the config and the history', async () => {
    const history = [
      { created_by: '/bin/sh -c #(nop) ADD file:0123abcd in / ' },
      { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
      { created_by: 'RUN /bin/sh -c echo "ADD is fine inside a shell command" # buildkit' },
      { created_by: 'ADD https://deploy:hunter2hunter2@example.org/app.tgz /opt/ # buildkit' },
    ];
    const img = await syntheticImage([[{ name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n' }], [], []], { User: 'toor', Healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } }, history);
    const report = await runImageChecks(img);
    expect(byId(report, 'I.4.1')).toMatchObject({ level: 'WARN', evidence: ['config User is "toor", which has uid 0 in /etc/passwd (root)'] });
    expect(byId(report, 'I.4.6')).toMatchObject({ level: 'PASS', evidence: ['HEALTHCHECK CMD-SHELL curl -f http://localhost/ || exit 1'] });
    expect(byId(report, 'I.4.9')).toMatchObject({
      level: 'WARN',
      evidence: ['layer 3: ADD https://deploy:…@example.org/app.tgz /opt/ # buildkit', "layer 1: ADD file:0123abcd in / — the base image's root filesystem, not counted"],
    });
    expect(JSON.stringify(report)).not.toContain('hunter2');

    const none = await syntheticImage([[]], { User: '1000:1000', Healthcheck: { Test: ['NONE'] } }, [{ created_by: '/bin/sh -c #(nop) ADD file:0123abcd in / ' }]);
    const r2 = await runImageChecks(none);
    expect(byId(r2, 'I.4.1').level).toBe('PASS');
    expect(byId(r2, 'I.4.6')).toMatchObject({ level: 'WARN', evidence: ['HEALTHCHECK NONE: health checking is disabled'] });
    expect(byId(r2, 'I.4.9').level).toBe('PASS');
  });

  test('I.4.10: a secret removed by a later layer is gone; one replaced by a clean file is gone', async () => {
    const key = 'AKIA' + 'Q2W3E4R5T6Y7U8I9';
    const img = await syntheticImage([
      [
        { name: 'app/.env', body: `AWS_ACCESS_KEY_ID=${key}\n` },
        { name: 'app/old/secrets.yaml', body: `api_token: ${'ghp_' + 'a1'.repeat(18)}\n` },
      ],
      [
        { name: 'app/.env', body: 'AWS_REGION=eu-west-1\n' },
        { name: 'app/.wh.old', body: '' },
      ],
    ]);
    expect(byId(await runImageChecks(img), 'I.4.10').level).toBe('PASS');
  });
});
