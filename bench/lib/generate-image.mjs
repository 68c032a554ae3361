// The "about 1 GB" benchmark image: an OCI image layout written by hand (tar + gzip + JSON +
// sha256), streamed so neither generation nor the tools under test can hold it in memory.
//
// Layer 0 is the real `debian12` fixture layer (dpkg status with 88 packages, 4216 files); layers
// 1-4 are generated and mix what real application images carry: thousands of small text files
// (node_modules, site-packages, static assets), large incompressible files (AES-CTR keystream
// from a fixed seed, so every run produces the same bytes), npm and Python package metadata, a
// jar and a Go binary copied from the `app` fixture, and a whiteout. Same inputs => same digests.
import { Buffer } from 'node:buffer';
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import tarStream from 'tar-stream';

const MTIME = 1735689600; // 2025-01-01T00:00:00Z, as the fixtures (SOURCE_DATE_EPOCH)
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// OCI layout helpers

async function readBlob(layout, digest) {
  return readFile(path.join(layout, 'blobs', ...digest.split(':')));
}

async function readImage(layout, tag) {
  const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8'));
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`${layout}: no tag ${tag}`);
  const manifest = JSON.parse(await readBlob(layout, desc.digest));
  const config = JSON.parse(await readBlob(layout, manifest.config.digest));
  return { manifest, config };
}

async function writeJsonBlob(out, obj) {
  const body = Buffer.from(JSON.stringify(obj));
  const hex = createHash('sha256').update(body).digest('hex');
  await writeFile(path.join(out, 'blobs', 'sha256', hex), body);
  return { digest: `sha256:${hex}`, size: body.length };
}

/** Files we borrow from a fixture layer (a jar, a Go binary), read whole: they are small. */
async function extractFiles(blobPath, wanted) {
  const found = new Map();
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\.?\//, '');
    if (header.type === 'file' && wanted.includes(name)) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        found.set(name, Buffer.concat(chunks));
        next();
      });
    } else {
      stream.on('end', next);
      stream.resume();
    }
  });
  await pipeline(createReadStream(blobPath), createGunzip(), extract);
  return found;
}

async function uncompressedSize(blobPath) {
  let n = 0;
  await pipeline(
    createReadStream(blobPath),
    createGunzip(),
    new Writable({
      write(c, _e, cb) {
        n += c.length;
        cb();
      },
    }),
  );
  return n;
}

// ---------------------------------------------------------------------------------------------
// A minimal ustar writer: enough for regular files, directories and whiteouts with short names.

function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(name, { size = 0, mode = 0o644, type = '0' } = {}) {
  const h = Buffer.alloc(512);
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar name too long: ${name}`);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  h.write(name, 0, 100);
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108); // uid
  h.write(octal(0, 8), 116); // gid
  h.write(octal(size, 12), 124);
  h.write(octal(MTIME, 12), 136);
  h.fill(' ', 148, 156); // checksum placeholder
  h.write(type, 156);
  h.write('ustar\0' + '00', 257);
  h.write('root', 265);
  h.write('root', 297);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

const ZERO = Buffer.alloc(1024);

/** Streams one layer: tar -> (sha256 = diffID) -> gzip -> (sha256 = blob digest) -> file. */
class LayerWriter {
  constructor(file) {
    this.diff = createHash('sha256');
    this.blob = createHash('sha256');
    this.size = 0;
    this.gzSize = 0;
    this.files = 0;
    this.dirs = new Set();
    // Level 1: generation speed; the tools under test only decompress, and inflate speed barely
    // depends on the level.
    this.gz = createGzip({ level: 1, chunkSize: 256 * 1024 });
    this.gz.on('data', (c) => {
      this.blob.update(c);
      this.gzSize += c.length;
    });
    this.done = pipeline(this.gz, createWriteStream(file));
  }

  async raw(buf) {
    this.diff.update(buf);
    this.size += buf.length;
    if (!this.gz.write(buf)) await once(this.gz, 'drain');
  }

  async dir(dir) {
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/') + '/';
      if (this.dirs.has(d)) continue;
      this.dirs.add(d);
      await this.raw(tarHeader(d, { type: '5', mode: 0o755 }));
    }
  }

  async file(name, body, mode = 0o644) {
    await this.dir(path.posix.dirname(name));
    await this.raw(tarHeader(name, { size: body.length, mode }));
    await this.raw(body);
    const pad = (512 - (body.length % 512)) % 512;
    if (pad) await this.raw(ZERO.subarray(0, pad));
    this.files++;
  }

  /** A large file of keystream bytes, written in 1 MiB chunks (never whole in memory). */
  async randomFile(name, size, seed) {
    await this.dir(path.posix.dirname(name));
    await this.raw(tarHeader(name, { size, mode: 0o644 }));
    const key = createHash('sha256').update(`vigil-bench:${seed}`).digest();
    const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    const zeros = Buffer.alloc(MiB);
    for (let left = size; left > 0; left -= MiB) {
      await this.raw(cipher.update(left >= MiB ? zeros : zeros.subarray(0, left)));
    }
    const pad = (512 - (size % 512)) % 512;
    if (pad) await this.raw(ZERO.subarray(0, pad));
    this.files++;
  }

  async whiteout(name) {
    await this.dir(path.posix.dirname(name));
    await this.raw(tarHeader(name, { size: 0 }));
  }

  async finish() {
    await this.raw(ZERO);
    this.gz.end();
    await this.done;
    return {
      diffId: `sha256:${this.diff.digest('hex')}`,
      digest: `sha256:${this.blob.digest('hex')}`,
      size: this.gzSize,
      uncompressed: this.size,
      files: this.files,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Content: deterministic pseudo-text and package metadata

/** xorshift32: a small seeded PRNG for names, sizes and text (reproducible across runs). */
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

const WORDS = ('const let function return if else for while module exports require import from ' +
  'value result options config buffer stream error callback promise async await this that ' +
  'length index object array string number true false null undefined parse format').split(' ');

function text(rand, bytes) {
  const lines = [];
  let n = 0;
  while (n < bytes) {
    const k = 4 + Math.floor(rand() * 10);
    let line = '';
    for (let i = 0; i < k; i++) line += WORDS[Math.floor(rand() * WORDS.length)] + ' ';
    line += ';\n';
    lines.push(line);
    n += line.length;
  }
  return Buffer.from(lines.join('').slice(0, bytes));
}

const npmName = (i) => (i % 5 === 0 ? `@bench/util-${String(i).padStart(4, '0')}` : `bench-dep-${String(i).padStart(4, '0')}`);
const semverOf = (i) => `${1 + (i % 4)}.${i % 13}.${i % 7}`;
const pyName = (i) => `benchpy_${String(i).padStart(4, '0')}`;

/** Fill the rest of a layer's budget with large files of 8-48 MiB. */
async function fillRandom(w, dir, budget, seed) {
  const rand = prng(seed);
  let i = 0;
  while (budget - w.size > MiB && i < 1000) {
    const want = Math.floor((8 + rand() * 40) * MiB);
    const size = Math.min(want, budget - w.size - 4096);
    if (size <= 0) break;
    await w.randomFile(`${dir}/blob-${String(i).padStart(3, '0')}.bin`, size, `${seed}:${i}`);
    i++;
  }
}

async function layerNodeApp(w, budget) {
  const rand = prng(101);
  const deps = {};
  for (let i = 0; i < 600; i++) deps[npmName(i)] = semverOf(i);
  await w.file('srv/app/package.json', Buffer.from(JSON.stringify({ name: 'bench-app', version: '2.0.0', private: true, dependencies: deps }, null, 2)));
  for (let i = 0; i < 600; i++) {
    const name = npmName(i);
    const base = `srv/app/node_modules/${name}`;
    const pkg = { name, version: semverOf(i), description: `benchmark package ${i}`, main: 'index.js', license: 'MIT' };
    await w.file(`${base}/package.json`, Buffer.from(JSON.stringify(pkg, null, 2)));
    await w.file(`${base}/index.js`, text(rand, 200 + Math.floor(rand() * 2000)));
    for (let k = 0; k < 12; k++) await w.file(`${base}/lib/part-${k}.js`, text(rand, 300 + Math.floor(rand() * 6000)));
  }
  await fillRandom(w, 'srv/app/assets', budget, 102);
}

async function layerPython(w, budget) {
  const rand = prng(201);
  const site = 'usr/local/lib/python3.11/site-packages';
  for (let i = 0; i < 300; i++) {
    const name = pyName(i);
    const version = `${i % 3}.${i % 11}.${i % 5}`;
    const info = `${site}/${name}-${version}.dist-info`;
    await w.file(`${info}/METADATA`, Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: benchmark package ${i}\nLicense: MIT\n\n`));
    await w.file(`${info}/WHEEL`, Buffer.from('Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n'));
    await w.file(`${info}/INSTALLER`, Buffer.from('pip\n'));
    const record = [];
    for (let k = 0; k < 10; k++) {
      const f = `${name}/mod_${k}.py`;
      await w.file(`${site}/${f}`, text(rand, 300 + Math.floor(rand() * 5000)));
      record.push(`${f},,`);
    }
    await w.file(`${info}/RECORD`, Buffer.from(record.join('\n') + '\n'));
  }
  await fillRandom(w, `${site}/benchnative/_libs`, budget, 202);
}

async function layerJvmAndGo(w, budget, borrowed) {
  const rand = prng(301);
  await w.file('opt/app/lib/snakeyaml.jar', borrowed.get('app/lib/snakeyaml.jar'));
  // Not in this image's dpkg status: an application Go binary, as `COPY --from=build` leaves it.
  await w.file('usr/local/bin/age', borrowed.get('usr/bin/age'), 0o755);
  for (let i = 0; i < 4000; i++) {
    const ext = ['css', 'html', 'js', 'json', 'svg'][i % 5];
    await w.file(`opt/app/static/d${i % 40}/asset-${i}.${ext}`, text(rand, 200 + Math.floor(rand() * 4000)));
  }
  await fillRandom(w, 'opt/app/data', budget, 302);
}

async function layerCleanup(w, budget) {
  const rand = prng(401);
  // rm -rf /srv/app/node_modules/bench-dep-0007: the package must disappear from both inventories.
  await w.whiteout(`srv/app/node_modules/.wh.${npmName(7)}`);
  for (let i = 0; i < 2000; i++) await w.file(`var/log/app/run-${i}.log`, text(rand, 100 + Math.floor(rand() * 3000)));
  await fillRandom(w, 'var/cache/app', budget, 402);
}

/**
 * Write the image as an OCI layout in `outDir` with tag `tag`.
 * @returns {Promise<{ref: string, uncompressed: number, compressed: number, files: number, layers: object[]}>}
 */
export async function generateImage({ fixtureOci, outDir, tag = 'big', totalBytes = 1024 * MiB }) {
  await mkdir(path.join(outDir, 'blobs', 'sha256'), { recursive: true });
  const base = await readImage(fixtureOci, 'debian12');
  const app = await readImage(fixtureOci, 'app');

  const baseLayer = base.manifest.layers[0];
  const baseBlob = path.join(fixtureOci, 'blobs', ...baseLayer.digest.split(':'));
  await copyFile(baseBlob, path.join(outDir, 'blobs', ...baseLayer.digest.split(':')));
  const baseSize = await uncompressedSize(baseBlob);

  const wanted = ['app/lib/snakeyaml.jar', 'usr/bin/age'];
  const borrowed = new Map();
  for (const l of app.manifest.layers) {
    if (borrowed.size === wanted.length) break;
    for (const [k, v] of await extractFiles(path.join(fixtureOci, 'blobs', ...l.digest.split(':')), wanted)) borrowed.set(k, v);
  }
  for (const name of wanted) if (!borrowed.has(name)) throw new Error(`fixture app: ${name} not found`);

  const perLayer = Math.max(8 * MiB, Math.floor((totalBytes - baseSize) / 4));
  const makers = [
    ['COPY app/ /srv/app/ # 600 npm packages in node_modules + assets', (w) => layerNodeApp(w, perLayer)],
    ['RUN pip install ... # 300 wheels in site-packages + native libs', (w) => layerPython(w, perLayer)],
    ['COPY snakeyaml.jar /opt/app/lib/; COPY --from=build /age /usr/local/bin/age; static assets + data', (w) => layerJvmAndGo(w, perLayer, borrowed)],
    ['RUN rm -rf /srv/app/node_modules/bench-dep-0007 && write logs and cache', (w) => layerCleanup(w, perLayer)],
  ];
  // All layers at once: gzip runs on libuv's thread pool, so this uses every core.
  const layers = await Promise.all(
    makers.map(async ([, make], i) => {
      const tmp = path.join(outDir, `layer-${i}.tmp`);
      const w = new LayerWriter(tmp);
      await make(w);
      const r = await w.finish();
      await rename(tmp, path.join(outDir, 'blobs', ...r.digest.split(':')));
      return r;
    }),
  );

  const history = [
    { created: '2025-01-01T00:00:00Z', created_by: base.config.history?.find((h) => !h.empty_layer)?.created_by ?? 'debian12 base' },
    ...makers.map(([createdBy]) => ({ created: '2025-01-01T00:00:00Z', created_by: createdBy })),
  ];
  const config = {
    created: '2025-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'], WorkingDir: '/srv/app' },
    rootfs: { type: 'layers', diff_ids: [base.config.rootfs.diff_ids[0], ...layers.map((l) => l.diffId)] },
    history,
  };
  const configDesc = await writeJsonBlob(outDir, config);
  const layerMedia = 'application/vnd.oci.image.layer.v1.tar+gzip';
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configDesc },
    layers: [
      { mediaType: layerMedia, digest: baseLayer.digest, size: baseLayer.size },
      ...layers.map((l) => ({ mediaType: layerMedia, digest: l.digest, size: l.size })),
    ],
  };
  const manifestDesc = await writeJsonBlob(outDir, manifest);
  await writeFile(path.join(outDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    path.join(outDir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: manifest.mediaType, ...manifestDesc, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return {
    uncompressed: baseSize + layers.reduce((a, l) => a + l.uncompressed, 0),
    compressed: baseLayer.size + layers.reduce((a, l) => a + l.size, 0),
    files: 4216 + layers.reduce((a, l) => a + l.files, 0),
    layers: [{ diffId: base.config.rootfs.diff_ids[0], uncompressed: baseSize }, ...layers],
  };
}
