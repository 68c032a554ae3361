/**
 * A reader that remembers answers across many matches against the same DB file: re-matching
 * a thousand stored inventories asks for the same packages and vulnerabilities over and over
 * (images share their base). The matcher treats answers as read-only, which is what makes
 * sharing them safe. Bounded: past `maxEntries` answers the memory starts again.
 */
import type { VigilDbReader } from './sqlite/reader.js';

export function memoReader(reader: VigilDbReader, maxEntries = 50_000): VigilDbReader {
  const affected = new Map<string, ReturnType<VigilDbReader['affected']>>();
  const vulns = new Map<string, ReturnType<VigilDbReader['vulnerability']>>();
  const kev = new Map<string, ReturnType<VigilDbReader['kev']>>();
  const epss = new Map<string, ReturnType<VigilDbReader['epss']>>();
  let size = 0;
  const remember = <V>(m: Map<string, V>, key: string, load: () => V): V => {
    if (m.has(key)) return m.get(key) as V;
    if (size >= maxEntries) {
      for (const x of [affected, vulns, kev, epss]) x.clear();
      size = 0;
    }
    const v = load();
    m.set(key, v);
    size++;
    return v;
  };
  return {
    path: reader.path,
    info: () => reader.info(),
    ageDays: () => reader.ageDays(),
    isStale: () => reader.isStale(),
    staleWarning: () => reader.staleWarning(),
    affected: (namespace, pkg) => remember(affected, `${namespace}\0${pkg}`, () => reader.affected(namespace, pkg)),
    vulnerability: (id) => remember(vulns, id, () => reader.vulnerability(id)),
    kev: (cve) => remember(kev, cve, () => reader.kev(cve)),
    epss: (cve) => remember(epss, cve, () => reader.epss(cve)),
    close: () => reader.close(),
  };
}
