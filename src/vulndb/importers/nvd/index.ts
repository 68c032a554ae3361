/**
 * NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities): a response page
 * (`{vulnerabilities: [{cve}]}`) or one bare `cve` object (fkie-cad/nvd-json-data-feeds). NVD only
 * enriches: description, CVSS v2/v3.x/v4 (primary source first), CWE ids, dates, a link. No
 * affected rows: CPE matching is out of scope.
 */
import { VigilError } from '../../../core/errors.js';
import { cvssEntry } from '../../cvss.js';
import type { FeedSink } from '../../sqlite/writer.js';
import type { CvssEntry } from '../../types.js';
import { newResult, skip, trimHead, type FeedFile, type ImportResult, type Importer } from '../types.js';

interface NvdMetric {
  source?: string;
  type?: string;
  cvssData?: { version?: string; vectorString?: string; baseScore?: number };
}
export interface NvdCve {
  id?: string;
  published?: string;
  lastModified?: string;
  vulnStatus?: string;
  descriptions?: { lang?: string; value?: string }[];
  metrics?: Record<string, NvdMetric[] | undefined>;
  weaknesses?: { source?: string; type?: string; description?: { lang?: string; value?: string }[] }[];
  references?: { url?: string; tags?: string[] }[];
}

const METRIC_KEYS = ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2'];

export function nvdCvss(metrics: NvdCve['metrics']): CvssEntry[] {
  const out: CvssEntry[] = [];
  for (const key of METRIC_KEYS) {
    const list = [...(metrics?.[key] ?? [])].sort((a, b) => (a.type === 'Primary' ? 0 : 1) - (b.type === 'Primary' ? 0 : 1));
    for (const m of list) {
      const vector = m.cvssData?.vectorString;
      if (!vector) continue;
      // NVD writes v2 vectors without a prefix; the score is given, the library checks the vector.
      const e = cvssEntry(vector, m.source, typeof m.cvssData?.baseScore === 'number' ? m.cvssData.baseScore : undefined);
      if (e) out.push(e);
    }
  }
  return out;
}

export function importNvdCve(cve: NvdCve, sink: FeedSink, result: ImportResult): void {
  if (!cve || typeof cve.id !== 'string') {
    skip(result, 'not a CVE record');
    return;
  }
  result.records++;
  sink.count('nvd', cve.lastModified);
  if (cve.vulnStatus === 'Rejected') {
    skip(result, 'rejected');
    return;
  }
  const cwes = new Set<string>();
  for (const w of cve.weaknesses ?? []) for (const d of w.description ?? []) if (d.value && /^CWE-\d+$/.test(d.value)) cwes.add(d.value);
  sink.vulnerability({
    id: cve.id,
    aliases: [],
    description: (cve.descriptions ?? []).find((d) => d.lang === 'en')?.value,
    link: `https://nvd.nist.gov/vuln/detail/${cve.id}`,
    published: cve.published,
    modified: cve.lastModified,
    cvss: nvdCvss(cve.metrics),
    cwes: [...cwes],
    source: 'nvd',
  });
}

export const nvdImporter = {
  name: 'nvd',
  // Enrichment: after the feeds whose records it completes (the merge is order-independent anyway).
  order: 40,
  detect(head: string): boolean {
    const h = trimHead(head);
    if (!h.startsWith('{')) return false;
    if (/"format"\s*:\s*"NVD_CVE"/.test(h) || /"resultsPerPage"\s*:/.test(h)) return true;
    return /"id"\s*:\s*"CVE-\d+-\d+"/.test(h) && /"sourceIdentifier"\s*:/.test(h);
  },
  async import(file: FeedFile, sink: FeedSink): Promise<ImportResult> {
    const result = newResult();
    let doc: { vulnerabilities?: { cve?: NvdCve }[] } & NvdCve;
    try {
      doc = JSON.parse(await file.text()) as typeof doc;
    } catch (e) {
      throw new VigilError('feed-invalid', `${file.name}: not valid JSON (${(e as Error).message})`, { kind: 'input', cause: e });
    }
    if (Array.isArray(doc.vulnerabilities)) for (const v of doc.vulnerabilities) importNvdCve(v.cve as NvdCve, sink, result);
    else importNvdCve(doc, sink, result);
    return result;
  },
} satisfies Importer;
