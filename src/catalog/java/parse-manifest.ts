/**
 * The main section of a JAR manifest (https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html#jar-manifest):
 * `Name: value` lines, a line starting with one space continues the previous one, and the first
 * blank line ends the main section (per-entry sections follow).
 */
export function parseManifest(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (attrs.size > 0) break;
      continue;
    }
    if (line.startsWith(' ') && last !== undefined) {
      attrs.set(last, attrs.get(last)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    // Names are case-insensitive in the spec; keep the first spelling's value.
    if (!attrs.has(last)) attrs.set(last, line.slice(colon + 1).trim());
    if (attrs.size > 500) break;
  }
  return attrs;
}

export interface MavenCoordinates {
  groupId?: string;
  artifactId: string;
  version: string;
}

function attr(m: Map<string, string>, name: string): string | undefined {
  for (const [k, v] of m) if (k.toLowerCase() === name.toLowerCase() && v.trim() !== '') return v.trim();
  return undefined;
}

/**
 * Maven coordinates guessed from manifest attributes, in Trivy's order (pkg/dependency/parser/java/jar):
 * group from Implementation-Vendor-Id, else Bundle-SymbolicName without its last dotted part,
 * else Implementation-Vendor / Specification-Vendor; artifact from Implementation-Title,
 * Specification-Title or Bundle-Name; version from Implementation-, Specification- or
 * Bundle-Version. Undefined without an artifact and a version.
 */
export function coordinatesFromManifest(m: Map<string, string>): MavenCoordinates | undefined {
  const symbolic = attr(m, 'Bundle-SymbolicName')?.split(';')[0]?.trim();
  let groupId = attr(m, 'Implementation-Vendor-Id');
  if (!groupId && symbolic) {
    const dot = symbolic.lastIndexOf('.');
    groupId = dot > 0 ? symbolic.slice(0, dot) : symbolic;
  }
  groupId ??= attr(m, 'Implementation-Vendor') ?? attr(m, 'Specification-Vendor');
  const artifactId = attr(m, 'Implementation-Title') ?? attr(m, 'Specification-Title') ?? attr(m, 'Bundle-Name');
  const version = attr(m, 'Implementation-Version') ?? attr(m, 'Specification-Version') ?? attr(m, 'Bundle-Version');
  if (!artifactId || !version) return undefined;
  return groupId ? { groupId, artifactId, version } : { artifactId, version };
}

/** Hyphenated parts that belong to a version rather than to a name (5.3.4-SNAPSHOT, 31.1-jre). */
const QUALIFIER = /^(?:\d[\w.+~]*|snapshot|release|final|ga|sp\d*|rc\d*|cr\d*|beta\d*|alpha\d*|m\d+|jre\d*|jdk\d*|android|incubating)$/i;

/**
 * Name and version from an archive's file name, like syft (`commons-lang3-3.12.0.jar` →
 * commons-lang3, 3.12.0): the version starts at the first "-<digit>" after which every
 * hyphenated part looks like a version or a qualifier, so `geronimo-interceptor-3.0-spec-1.0.1`
 * splits before 1.0.1.
 */
export function coordinatesFromFileName(fileName: string): MavenCoordinates | undefined {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1).replace(/\.[A-Za-z]+$/, '');
  for (let i = base.indexOf('-'); i > 0; i = base.indexOf('-', i + 1)) {
    const rest = base.slice(i + 1);
    if (/^\d/.test(rest) && rest.split('-').every((p) => QUALIFIER.test(p))) {
      return { artifactId: base.slice(0, i), version: rest };
    }
  }
  return undefined;
}
