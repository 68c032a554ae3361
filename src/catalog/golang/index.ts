import type { Warning } from '../../core/types.js';
import type { Cataloger, FileFacts, FileMeta, FoundPackage } from '../types.js';
import { isElf, type RandomAccess } from '../shared/elf.js';
import { looksLikeBinaryCandidate } from '../shared/executables.js';
import { readGoBuildInfo } from './read-buildinfo.js';
import { parseModinfo, stdlibVersion, type GoModule } from './parse-modinfo.js';

/** A module replaced by a local directory (`=> ../fork`) has no published version to match. */
function isLocalPath(path: string): boolean {
  return path.startsWith('./') || path.startsWith('../') || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}

function hasRealVersion(version: string): boolean {
  return version !== '' && version !== '(devel)';
}

/**
 * Turns a binary's build info into packages: the main module (when it carries a real version),
 * every dependency with its replacement applied, and the toolchain as `stdlib`, as Trivy and
 * syft report them. Module versions keep Go's canonical "v" prefix (v1.2.3), as in go.mod and
 * golang purls; `stdlib` is a bare release number (1.19.8), as in the Go vulnerability database.
 */
export function goPackagesFromBuildInfo(goVersion: string, modinfo: string, location: string): FileFacts {
  const info = parseModinfo(modinfo);
  const warnings: Warning[] = [];
  if (info.bad.length > 0) {
    warnings.push({
      code: 'go-modinfo-unparsed',
      message: `unrecognised Go build info lines: ${info.bad.slice(0, 3).join(' | ').slice(0, 200)}`,
      location,
    });
  }
  const common: Record<string, unknown> = { goVersion };
  if (info.path) common.goBuildPath = info.path;
  if (info.main) common.mainModule = info.main.path;
  const settings = Object.fromEntries(info.settings.map((s) => [s.key, s.value]));
  if (settings.GOOS) common.goos = settings.GOOS;
  if (settings.GOARCH) common.goarch = settings.GOARCH;

  const packages: FoundPackage[] = [];
  const localModules: { path: string; version: string; replacement: string }[] = [];
  const seen = new Set<string>();
  const add = (mod: GoModule, extra: Record<string, unknown>): void => {
    const key = `${mod.path}@${mod.version}`;
    if (seen.has(key)) return;
    seen.add(key);
    const metadata: Record<string, unknown> = { ...common, ...extra };
    if (mod.sum) metadata.h1Digest = mod.sum;
    packages.push({ name: mod.path, version: mod.version, type: 'golang', metadata });
  };

  if (info.main && hasRealVersion(info.main.version) && !info.main.replace) {
    add(info.main, { isMainModule: true, buildSettings: settings });
  }
  for (const dep of info.deps) {
    if (info.main && dep.path === info.main.path) continue;
    const resolved = dep.replace ?? dep;
    if (isLocalPath(resolved.path) || !hasRealVersion(resolved.version)) {
      localModules.push({ path: dep.path, version: dep.version, replacement: resolved.path });
      continue;
    }
    add(resolved, dep.replace ? { replaces: `${dep.path}@${dep.version}` } : {});
  }

  const stdVersion = stdlibVersion(goVersion);
  if (stdVersion) {
    const metadata: Record<string, unknown> = { ...common, buildSettings: settings };
    if (localModules.length) metadata.localModules = localModules;
    packages.push({ name: 'stdlib', version: stdVersion, type: 'golang', metadata });
  } else {
    warnings.push({
      code: 'go-version-unknown',
      message: `Go toolchain version "${goVersion.slice(0, 80)}" is not a release; stdlib not reported`,
      location,
    });
  }
  return warnings.length ? { packages, warnings } : { packages };
}

export async function parseGoBinary(src: RandomAccess & { path: string }): Promise<FileFacts> {
  if (!isElf(await src.read(0, 4))) return {};
  const raw = await readGoBuildInfo(src);
  if (!raw) return {};
  return goPackagesFromBuildInfo(raw.goVersion, raw.modinfo, src.path);
}

export const goBinaryCataloger = {
  name: 'go-binary',
  ecosystems: ['golang'],
  // Go binaries of 100+ MiB exist (kubelet, terraform providers); only headers and one small
  // section are read, through random access.
  maxSize: 1024 * 1024 * 1024,
  matches(file: FileMeta): boolean {
    return looksLikeBinaryCandidate(file);
  },
  sniff(head: Buffer): boolean {
    return isElf(head);
  },
  parse(file) {
    return parseGoBinary(file);
  },
} satisfies Cataloger;
