/**
 * Test support: a fixture root copied to a temporary dir with the modes and owners its
 * `modes.json` lists applied (git keeps neither). Owners are names resolved through the
 * fixture's own etc/passwd and etc/group, as the checks resolve them. Changing owners needs
 * root; without it `ownersApplied` is false and owner-based expectations must be skipped.
 */
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

export const KUBE_FIXTURES = ['kubeadm-master', 'kubeadm-master-misconfigured', 'kubeadm-worker', 'kubeadm-worker-misconfigured', 'k3s-server', 'rke2-server'] as const;
export type KubeFixture = (typeof KUBE_FIXTURES)[number];

interface ModesFile {
  files: Record<string, { mode: string; owner: string }>;
}

function idTable(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && /^\d+$/.test(id)) m.set(name, Number(id));
  }
  return m;
}

export interface PreparedRoot {
  root: string;
  ownersApplied: boolean;
  cleanup(): Promise<void>;
}

export async function prepareFixtureRoot(name: KubeFixture | string, mutate?: (root: string) => Promise<void>): Promise<PreparedRoot> {
  const src = path.join(FIXTURES_DIR, name);
  const dir = await mkdtemp(path.join(tmpdir(), `vigil-kube-${name}-`));
  const root = path.join(dir, 'root');
  await cp(src, root, { recursive: true });
  await rm(path.join(root, 'modes.json'), { force: true });
  await rm(path.join(root, 'README.md'), { force: true });
  const modes = JSON.parse(await readFile(path.join(src, 'modes.json'), 'utf8')) as ModesFile;
  const users = idTable(await readFile(path.join(root, 'etc/passwd'), 'utf8'));
  const groups = idTable(await readFile(path.join(root, 'etc/group'), 'utf8'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // Deepest first, so a directory's own mode (700) never stops us from reaching its children.
  const entries = Object.entries(modes.files).sort((a, b) => b[0].split('/').length - a[0].split('/').length);
  for (const [rel, { mode, owner }] of entries) {
    const p = path.join(root, rel);
    // git keeps no empty directories: modes.json lists them with a trailing '/', made here.
    if (rel.endsWith('/')) await mkdir(p, { recursive: true });
    if (isRoot) {
      const [u = 'root', g = u] = owner.split(':');
      const uid = users.get(u);
      const gid = groups.get(g);
      if (uid === undefined || gid === undefined) throw new Error(`${name}/modes.json: ${rel}: owner ${owner} is not in the fixture's etc/passwd or etc/group`);
      await chown(p, uid, gid);
    }
    await chmod(p, parseInt(mode, 8));
  }
  if (mutate) await mutate(root);
  return { root, ownersApplied: isRoot, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
