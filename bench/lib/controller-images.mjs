// The controller benchmark's registry content (issue 5): the fixture images plus variants that
// each add one small layer, written as an OCI image layout by hand (tar + gzip + JSON + sha256,
// as generate-image.mjs does), then pushed with skopeo under many repositories and tags so that
// several tags share each digest.
//
// A variant is a fixture image + one layer holding an npm package.json under /srv/bench: a new
// manifest and config digest (a new image to scan) and one extra package in its inventory, at
// the cost of a few hundred bytes. The base layers are the fixture's blobs, unchanged.
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';

const run = promisify(execFile);
const MTIME = new Date('2025-01-01T00:00:00Z'); // as the fixtures (SOURCE_DATE_EPOCH)
export const BASES = ['debian12', 'app', 'distroless', 'alpine-fake'];

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

async function readJsonBlob(layout, digest) {
  return JSON.parse(await readFile(path.join(layout, 'blobs', ...digest.split(':')), 'utf8'));
}

async function writeBlob(out, buf) {
  const hex = sha256(buf);
  await writeFile(path.join(out, 'blobs', 'sha256', hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

/** One uncompressed tar with `files` ({name, body}) and their parent directories. */
function tarOf(files) {
  return new Promise((resolve, reject) => {
    const pack = tarStream.pack();
    const chunks = [];
    pack.on('data', (c) => chunks.push(c));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
    const dirs = new Set();
    for (const f of files) {
      const parts = f.name.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (dirs.has(d)) continue;
        dirs.add(d);
        pack.entry({ name: `${d}/`, type: 'directory', mode: 0o755, mtime: MTIME, uid: 0, gid: 0 });
      }
      pack.entry({ name: f.name, mode: 0o644, mtime: MTIME, uid: 0, gid: 0 }, f.body);
    }
    pack.finalize();
  });
}

/**
 * Writes an OCI layout at `out` with the four fixture images (their own tags) and `variants`
 * more images `v000`, `v001`, …, based on the fixtures in turn.
 * @returns {Promise<Array<{name: string, base: string, digest: string}>>} every image, originals first
 */
export async function buildLayout({ fixtureOci, out, variants }) {
  await mkdir(path.join(out, 'blobs', 'sha256'), { recursive: true });
  await writeFile(path.join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = JSON.parse(await readFile(path.join(fixtureOci, 'index.json'), 'utf8'));
  const bases = new Map();
  const copied = new Set();
  const copy = async (digest) => {
    if (copied.has(digest)) return;
    copied.add(digest);
    const rel = digest.split(':');
    await copyFile(path.join(fixtureOci, 'blobs', ...rel), path.join(out, 'blobs', ...rel));
  };
  const manifests = [];
  const images = [];
  for (const name of BASES) {
    const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === name);
    if (!desc) throw new Error(`${fixtureOci}: no image tagged ${name}`);
    const manifest = await readJsonBlob(fixtureOci, desc.digest);
    const config = await readJsonBlob(fixtureOci, manifest.config.digest);
    for (const d of [desc.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) await copy(d);
    bases.set(name, { manifest, config });
    manifests.push(desc);
    images.push({ name, base: name, digest: desc.digest });
  }
  for (let i = 0; i < variants; i++) {
    const baseName = BASES[i % BASES.length];
    const { manifest, config } = bases.get(baseName);
    const name = `v${String(i).padStart(3, '0')}`;
    const pkg = { name: `bench-variant-${i}`, version: `1.0.${i}`, description: 'one small extra layer (vigil controller bench)', license: 'MIT' };
    const tar = await tarOf([{ name: `srv/bench/node_modules/bench-variant-${i}/package.json`, body: JSON.stringify(pkg, null, 2) + '\n' }]);
    const layer = await writeBlob(out, gzipSync(tar, { level: 9 }));
    const cfg = JSON.parse(JSON.stringify(config));
    cfg.rootfs.diff_ids = [...cfg.rootfs.diff_ids, `sha256:${sha256(tar)}`];
    cfg.history = [...(cfg.history ?? []), { created: MTIME.toISOString(), created_by: `vigil bench: variant ${i} of ${baseName}` }];
    const cfgBlob = await writeBlob(out, Buffer.from(JSON.stringify(cfg)));
    const m = {
      ...manifest,
      config: { ...manifest.config, digest: cfgBlob.digest, size: cfgBlob.size },
      layers: [...manifest.layers, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    };
    const mBlob = await writeBlob(out, Buffer.from(JSON.stringify(m)));
    manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...mBlob, annotations: { 'org.opencontainers.image.ref.name': name } });
    images.push({ name, base: baseName, digest: mBlob.digest });
  }
  await writeFile(path.join(out, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  return images;
}

/**
 * Which image each tag gets: tag k lives in repository `bench/r{k mod repos}`; the first
 * `images.length` tags take one image each, the rest step through the images by a stride
 * coprime to their count, so every digest ends up under about tags/images tags.
 */
export function planTags(images, { tags, repos }) {
  const n = images.length;
  let stride = 37 % n || 1;
  const gcd = (a, b) => (b ? gcd(b, a % b) : a);
  while (gcd(stride, n) !== 1) stride++;
  return Array.from({ length: tags }, (_, k) => ({
    repository: `bench/r${k % repos}`,
    tag: `t${String(k).padStart(3, '0')}`,
    image: images[k < n ? k : (k * stride) % n],
  }));
}

/** skopeo copy of every planned tag from the layout, `concurrency` at a time (blobs already there are mounted, not sent). */
export async function pushTags({ layout, host, plan, env, concurrency = 3, timeoutMs = 120_000 }) {
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const t = plan[next++];
      await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${t.image.name}`, `docker://${host}/${t.repository}:${t.tag}`], { env, timeout: timeoutMs });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
