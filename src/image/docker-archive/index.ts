import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { VigilError } from '../../core/errors.js';
import { verifiedStream } from '../blob-io.js';
import { parseConfig } from '../manifest.js';
import type { ImageOptions, LayerSource, ResolvedImage } from '../types.js';
import { indexTar, type TarMember } from './tar-index.js';

interface ArchiveManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** "docker-archive:<file>[:<repo:tag>]" */
export function parseArchiveRef(ref: string): { file: string; tag?: string } {
  const rest = ref.replace(/^docker-archive:/, '');
  // The file part ends with .tar (or the whole thing is the file): a trailing ":repo:tag" names an image inside.
  const m = /^(.*?\.tar(?:\.gz)?):(.+)$/.exec(rest);
  return m ? { file: m[1]!, tag: m[2]! } : { file: rest };
}

const MAX_SMALL = 8 * 1024 * 1024;

async function readMember(fh: FileHandle, m: TarMember, where: string): Promise<Buffer> {
  if (m.size > MAX_SMALL) throw new VigilError('too-large', `${where}: ${m.name} is ${m.size} bytes; too large for a manifest or config`);
  const buf = Buffer.alloc(m.size);
  await fh.read(buf, 0, m.size, m.offset);
  return buf;
}

function resolveMember(members: Map<string, TarMember>, name: string, where: string): TarMember {
  let m = members.get(name.replace(/^\.\//, ''));
  for (let hops = 0; m && (m.type === 'symlink' || m.type === 'link') && hops < 8; hops++) {
    const base = m.type === 'symlink' && m.name.includes('/') ? m.name.slice(0, m.name.lastIndexOf('/') + 1) : '';
    const target = m.linkname!.startsWith('/') ? m.linkname!.slice(1) : base + m.linkname!;
    const parts: string[] = [];
    for (const seg of target.split('/')) {
      if (seg === '..') parts.pop();
      else if (seg && seg !== '.') parts.push(seg);
    }
    m = members.get(parts.join('/'));
  }
  if (!m || m.type !== 'file') throw new VigilError('corrupt-archive', `${where}: ${name} is missing from the archive`);
  return m;
}

/** Opens a `docker save` / `skopeo copy docker-archive:` tarball. */
export async function openDockerArchive(ref: string, _opts: ImageOptions = {}): Promise<ResolvedImage> {
  const { file, tag } = parseArchiveRef(ref);
  const where = `docker-archive:${file}`;
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError(code === 'ENOENT' ? 'not-found' : 'unreadable', `cannot open ${file} (${code ?? String(e)})`, { cause: e });
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await fh.close();
    }
  };
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new VigilError('unreadable', `${file} is not a regular file`);
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if ((head[0] === 0x1f && head[1] === 0x8b) || head.readUInt32LE(0) === 0xfd2fb528) {
      throw new VigilError('compressed-archive', `${where}: the archive is compressed; decompress it first (docker save writes plain tar)`);
    }
    const members = await indexTar(fh, st.size, where);
    const manifestMember = members.get('manifest.json');
    if (!manifestMember) throw new VigilError('corrupt-archive', `${where}: no manifest.json; not a docker save archive`);
    let manifest: ArchiveManifestEntry[];
    try {
      manifest = JSON.parse((await readMember(fh, manifestMember, where)).toString('utf8')) as ArchiveManifestEntry[];
    } catch (e) {
      if (e instanceof VigilError) throw e;
      throw new VigilError('corrupt-archive', `${where}: manifest.json is not valid JSON`, { cause: e });
    }
    const valid = Array.isArray(manifest) && manifest.every((m) => m && typeof m.Config === 'string' && Array.isArray(m.Layers) && m.Layers.every((l) => typeof l === 'string'));
    if (!valid || manifest.length === 0) throw new VigilError('corrupt-archive', `${where}: manifest.json does not describe any image`);

    let entry: ArchiveManifestEntry;
    if (tag) {
      const hit = manifest.find((m) => m.RepoTags?.some((t) => t === tag || t === `${tag}:latest` || t.endsWith(`/${tag}`)));
      if (!hit) throw new VigilError('not-found', `${where}: no image tagged ${tag} (tags: ${manifest.flatMap((m) => m.RepoTags ?? []).join(', ') || 'none'})`);
      entry = hit;
    } else if (manifest.length === 1) {
      entry = manifest[0]!;
    } else {
      throw new VigilError('ambiguous-reference', `${where} holds ${manifest.length} images; name one as docker-archive:${file}:<repo:tag>`, { kind: 'usage' });
    }

    const configRaw = await readMember(fh, resolveMember(members, entry.Config, where), where);
    const configDigest = `sha256:${createHash('sha256').update(configRaw).digest('hex')}`;
    const config = parseConfig(configRaw, `${where} config`);
    const diffIds = config.rootfs!.diff_ids!;
    if (diffIds.length !== entry.Layers.length) {
      throw new VigilError('corrupt-archive', `${where}: manifest.json lists ${entry.Layers.length} layers but the config has ${diffIds.length} diff_ids`);
    }
    const layers: LayerSource[] = entry.Layers.map((name, index) => {
      const m = resolveMember(members, name, where);
      const blob = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(m.name);
      const diffId = diffIds[index]!;
      const digest = blob ? `sha256:${blob[1]}` : diffId;
      return {
        index,
        digest,
        diffId,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
        size: m.size,
        // Blobs named by digest are checked against it; every layer's diffId is checked by the reader.
        open: async () => (m.size === 0 ? Readable.from([]) : verifiedStream(file, blob && digest !== diffId ? digest : undefined, `${where} layer ${name}`, { start: m.offset, end: m.offset + m.size - 1 })),
      } satisfies LayerSource;
    });
    const repoTags = entry.RepoTags ?? [];
    return {
      name: `docker-archive:${file}${tag ? `:${tag}` : ''}`,
      configDigest,
      config,
      layers,
      platform: `${config.os ?? 'linux'}/${config.architecture ?? 'unknown'}${config.variant ? `/${config.variant}` : ''}`,
      repoTags,
      repoDigests: [],
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
