/**
 * Test helper: a fixture root copied to a temporary directory with the modes and owners git
 * cannot keep. Owners are mapped by writing the root's own /etc/passwd and /etc/group for the
 * uid/gid running the tests, so results do not depend on who runs them.
 */
import { chmod, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./', import.meta.url));

export interface RootSetup {
  /** Target path → octal mode string. */
  modes?: Record<string, string>;
  /** The name the files' owner (the test's uid/gid) has in the target: `root` or someone else. */
  owner?: string;
  /** Extra members of the docker group. */
  dockerGroup?: string[];
}

export async function makeRoot(fixture: string, setup: RootSetup = {}): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), `vigil-root-${fixture}-`));
  await cp(path.join(FIXTURES, 'docker-hosts', fixture), root, { recursive: true, verbatimSymlinks: true });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const owner = setup.owner ?? 'root';
  const users = [`${owner}:x:${uid}:${gid}:${owner}:/root:/bin/sh`];
  if (uid !== 0) users.push('root:x:0:0:root:/root:/bin/sh');
  const groups = [`${owner}:x:${gid}:`];
  if (gid !== 0) groups.push('root:x:0:');
  groups.push(`docker:x:${gid === 999 ? 998 : 999}:${(setup.dockerGroup ?? []).join(',')}`);
  await writeFile(path.join(root, 'etc/passwd'), users.join('\n') + '\n').catch(async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await writeFile(path.join(root, 'etc/passwd'), users.join('\n') + '\n');
  });
  await writeFile(path.join(root, 'etc/group'), groups.join('\n') + '\n');
  for (const [p, m] of Object.entries(setup.modes ?? {})) await chmod(path.join(root, p), parseInt(m, 8));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
