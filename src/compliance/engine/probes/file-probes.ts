/** Files of the target: existence, mode and ownership; content lines; JSON/YAML keys. */
import path from 'node:path';
import type { Stats } from 'node:fs';
import { getPath, resolveSetting } from '../settings.js';
import { ok, type ProbeEnv, type ProbeItem, type ProbeResult, type ProbeRunner } from '../probe-types.js';
import type { ConfigKeyProbe, FileContentProbe, FileProbe } from '../types.js';

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'directory';
  if (st.isSocket()) return 'socket';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  return 'other';
}

async function describeFile(p: string, st: Stats, env: ProbeEnv): Promise<ProbeItem> {
  const acc = await env.accounts();
  const user = acc.users.get(st.uid) ?? String(st.uid);
  const group = acc.groups.get(st.gid) ?? String(st.gid);
  const mode = (st.mode & 0o7777).toString(8).padStart(3, '0');
  return {
    name: p,
    value: { path: p, exists: true, type: kindOf(st), mode, uid: st.uid, gid: st.gid, user, group, owner: `${user}:${group}` },
    source: p,
  };
}

/** Base-name glob (`*.crt`, `*.pem`) → RegExp. */
function globRe(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

async function walk(env: ProbeEnv, dir: string, re: RegExp, out: string[], depth = 0): Promise<void> {
  if (depth > 8) return;
  for (const name of (await env.root.list(dir)) ?? []) {
    const p = path.posix.join(dir, name);
    const st = await env.root.stat(p);
    if (!st) continue;
    if (st.isDirectory()) await walk(env, p, re, out, depth + 1);
    else if (re.test(name)) out.push(p);
  }
}

export const fileProbe: ProbeRunner<FileProbe> = {
  kind: 'file',
  iterates: (p) => p.glob !== undefined,
  async run(p, env): Promise<ProbeResult> {
    let candidates = p.paths ?? [];
    if (p.pathFrom) {
      const s = await resolveSetting(p.pathFrom, env);
      if (s.status === 'error') return s;
      if (s.status === 'missing' || typeof s.value !== 'string' || s.value === '') {
        if (candidates.length === 0) return { status: 'missing', reason: `${p.pathFrom.key ?? p.pathFrom.flag?.[0]} is not configured` };
      } else candidates = [s.value];
    }
    for (const c of candidates) {
      const st = await env.root.stat(c);
      if (!st) continue;
      if (p.glob === undefined) return { status: 'ok', items: [await describeFile(c, st, env)] };
      if (!st.isDirectory()) continue;
      const files: string[] = [];
      await walk(env, c, globRe(p.glob), files);
      const items: ProbeItem[] = [];
      for (const f of files.sort()) {
        const fst = await env.root.stat(f);
        if (fst) items.push(await describeFile(f, fst, env));
      }
      return { status: 'ok', items };
    }
    return { status: 'missing', reason: `${candidates.join(', ')} not found` };
  },
};

export const fileContentProbe: ProbeRunner<FileContentProbe> = {
  kind: 'file-content',
  iterates: () => false,
  async run(p, env): Promise<ProbeResult> {
    const re = new RegExp(p.regex, 'm');
    for (const c of p.paths) {
      const text = await env.root.readText(c);
      if (text === undefined) continue;
      const m = re.exec(text);
      return ok(m ? (m[1] ?? m[0]) : undefined, c);
    }
    return { status: 'missing', reason: `${p.paths.join(', ')} not found` };
  },
};

export const configKeyProbe: ProbeRunner<ConfigKeyProbe> = {
  kind: 'config-key',
  iterates: () => false,
  async run(p, env): Promise<ProbeResult> {
    for (const c of p.paths) {
      let doc: unknown;
      try {
        doc = await env.parsedFile(c, p.format);
      } catch (e) {
        return { status: 'error', reason: (e as Error).message };
      }
      if (doc !== undefined) return ok(getPath(doc, p.key), `${c}: ${p.key}`);
    }
    return { status: 'missing', reason: `${p.paths.join(', ')} not found` };
  },
};
