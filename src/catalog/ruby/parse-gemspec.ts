import { posix } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { FileFacts } from '../types.js';

/**
 * A Ruby string literal as RubyGems writes them: "x", 'x', %q{x} / %q<x> / %q(x) / %q[x],
 * optionally followed by `.freeze`. Group 1..6 hold the text of whichever form matched.
 */
const STR = String.raw`(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|%[qQ]\{([^}\n]*)\}|%[qQ]<([^>\n]*)>|%[qQ]\(([^)\n]*)\)|%[qQ]\[([^\]\n]*)\])(?:\.freeze)?`;
const STR_RE = new RegExp(STR, 'g');

/**
 * An installed gem's `specifications/<name>-<version>.gemspec`, which RubyGems generates as Ruby
 * source (`s.name = "rack".freeze`). It is read with regexes over the common generated forms and
 * never evaluated; the file name ("rack-2.2.3.gemspec") fills in a field the regexes miss.
 */
export function parseGemspec(buf: Buffer, path: string): FileFacts {
  // Generated gemspecs may carry NUL bytes (stub comments of gems with extensions); drop them.
  const text = buf.toString('utf8').replace(/\0/g, '\n');
  const v = /Gem::Specification\.new\s+do\s*\|\s*([A-Za-z_]\w*)\s*\|/.exec(text)?.[1] ?? String.raw`[A-Za-z_]\w*`;
  const assigned = (field: string): string | undefined => {
    const m = new RegExp(String.raw`^\s*${v}\.${field}\s*=\s*(?:Gem::Version\.new\(\s*)?${STR}`, 'm').exec(text);
    return m ? literal(m) : undefined;
  };
  const fromName = fileNameParts(path);
  const name = assigned('name') ?? fromName?.name;
  const version = assigned('version') ?? fromName?.version;
  if (!name || !version) throw new VigilError('catalog-bad-file', `${path}: no gem name and version found`);

  const licenses: string[] = [];
  const list = new RegExp(String.raw`^\s*${v}\.licenses\s*=\s*\[([^\]\n]*)\]`, 'm').exec(text)?.[1];
  if (list !== undefined) for (const m of list.matchAll(STR_RE)) licenses.push(literal(m));
  const single = assigned('license');
  if (single) licenses.push(single);
  const clean = [...new Set(licenses.map((l) => l.trim()).filter(Boolean))];
  return { packages: [{ name, version, type: 'gem', ...(clean.length ? { licenses: clean } : {}) }] };
}

function literal(m: RegExpMatchArray | RegExpExecArray): string {
  const raw = m.slice(1, 7).find((g) => g !== undefined) ?? '';
  return raw.replace(/\\(.)/g, '$1');
}

/** "rack-2.2.3.gemspec" → rack 2.2.3; "nokogiri-1.13.10-x86_64-linux.gemspec" → nokogiri 1.13.10. */
function fileNameParts(path: string): { name: string; version: string } | undefined {
  const m = /^(.+?)-(\d[^-]*)(?:-[^-]+)*\.gemspec$/.exec(posix.basename(path));
  return m ? { name: m[1]!, version: m[2]! } : undefined;
}
