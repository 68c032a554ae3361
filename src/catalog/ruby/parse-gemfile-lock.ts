import type { FileFacts, FoundPackage } from '../types.js';

/**
 * Bundler's Gemfile.lock: in the GEM and GIT sections, `specs:` lists each locked gem at four
 * spaces ("    rack (2.2.3)"), its dependencies at six. PATH gems are the project's own code.
 * A platform suffix ("nokogiri (1.13.10-x86_64-linux)") is not part of the version.
 */
export function parseGemfileLock(buf: Buffer): FileFacts {
  const out: FoundPackage[] = [];
  const seen = new Set<string>();
  let section = '';
  for (const line of buf.toString('utf8').split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      section = line.trim();
      continue;
    }
    if (section !== 'GEM' && section !== 'GIT') continue;
    const m = /^ {4}([^\s(]+) \(([^)\s]+)\)\s*$/.exec(line);
    if (!m) continue;
    const [version, platform] = splitPlatform(m[2]!);
    const id = `${m[1]}@${version}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ name: m[1]!, version, type: 'gem', ...(platform ? { metadata: { platform } } : {}) });
  }
  return { packages: out };
}

function splitPlatform(v: string): [string, string | undefined] {
  const dash = v.indexOf('-');
  return dash > 0 ? [v.slice(0, dash), v.slice(dash + 1)] : [v, undefined];
}
