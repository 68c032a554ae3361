import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { exists, type FetchContext, type FeedOutcome } from './context.js';
import { NVD_DELAY_MS, NVD_MAX_RESULTS_PER_PAGE, NVD_MAX_WINDOW_DAYS } from './feeds.js';
import type { FeedState } from './state.js';

/**
 * NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities). The first time: every CVE,
 * page by page. Afterwards: only CVEs whose lastModified falls after the last window's end, in
 * windows of at most 120 days (the API's limit). Each CVE is cached as its own file,
 * `<cache>/nvd/cve/CVE-YYYY/<id>.json` (the bare `cve` object, as the builder reads per-CVE
 * files), so a modified CVE simply replaces its older copy.
 */

export interface NvdOptions {
  apiKey?: string;
  /** Pause between two requests; NVD asks for 6 s without a key and 0.6 s with one. */
  delayMs?: number;
  resultsPerPage?: number;
}

const DAY_MS = 86_400_000;
const CVE_ID = /^CVE-(\d{4})-\d{4,}$/;

/** NVD's own timestamp shape, with an explicit UTC offset as in its documentation's examples. */
export function nvdTime(d: Date): string {
  return d.toISOString().replace('Z', '+00:00');
}

/** [start, end) cut into consecutive windows of at most `maxDays`. */
export function nvdWindows(start: Date, end: Date, maxDays = NVD_MAX_WINDOW_DAYS): Array<{ start: Date; end: Date }> {
  const out: Array<{ start: Date; end: Date }> = [];
  const step = maxDays * DAY_MS;
  // Bounded: the number of windows is fixed by the span before the loop starts.
  const n = Math.max(0, Math.ceil((end.getTime() - start.getTime()) / step));
  for (let i = 0; i < n; i++) {
    const s = start.getTime() + i * step;
    out.push({ start: new Date(s), end: new Date(Math.min(s + step, end.getTime())) });
  }
  return out;
}

export async function fetchNvd(ctx: FetchContext, o: NvdOptions): Promise<FeedOutcome> {
  const startedAt = ctx.now();
  const cveDir = join(ctx.dir, 'cve');
  const delay = o.delayMs ?? (o.apiKey ? NVD_DELAY_MS.withKey : NVD_DELAY_MS.withoutKey);
  const perPage = Math.min(Math.max(1, o.resultsPerPage ?? NVD_MAX_RESULTS_PER_PAGE), NVD_MAX_RESULTS_PER_PAGE);
  const pager = new Pager(ctx, o.apiKey, delay, perPage);
  const last = ctx.previous?.nvdLastWindowEnd;
  const lastTime = last ? new Date(last) : undefined;
  let summary: string;
  if (lastTime && !Number.isNaN(lastTime.getTime()) && (await exists(cveDir))) {
    const windows = nvdWindows(lastTime, startedAt);
    let count = 0;
    for (const w of windows) count += await pager.all(cveDir, { lastModStartDate: nvdTime(w.start), lastModEndDate: nvdTime(w.end) });
    summary = `${count} CVE${count === 1 ? '' : 's'} modified since ${last} (${windows.length} window${windows.length === 1 ? '' : 's'}, ${pager.pages} page${pager.pages === 1 ? '' : 's'})`;
  } else {
    const fresh = `${cveDir}.new`;
    await rm(fresh, { recursive: true, force: true });
    try {
      const count = await pager.all(fresh, {});
      await rm(cveDir, { recursive: true, force: true });
      await rename(fresh, cveDir);
      summary = `full (${count} CVEs, ${pager.pages} pages)`;
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }
  ctx.log(`nvd: ${summary}`);
  // The next update starts where this one started: a CVE modified during the download is asked for again.
  const state: FeedState = { origin: ctx.endpoints.origin, fetchedAt: startedAt.toISOString(), nvdLastWindowEnd: startedAt.toISOString() };
  return { state, inputs: [cveDir], summary };
}

interface NvdPage {
  totalResults?: unknown;
  vulnerabilities?: unknown;
}

class Pager {
  pages = 0;
  private requested = false;

  constructor(
    private readonly ctx: FetchContext,
    private readonly apiKey: string | undefined,
    private readonly delayMs: number,
    private readonly perPage: number,
  ) {}

  /** Every page of one query into `dir`; returns the number of CVEs written. */
  async all(dir: string, window: Record<string, string>): Promise<number> {
    await mkdir(dir, { recursive: true });
    let startIndex = 0;
    let written = 0;
    for (let page = 0; ; page++) {
      if (page >= this.ctx.limits.nvdMaxPages) {
        throw new VigilError('feed-too-large', `NVD: more than ${this.ctx.limits.nvdMaxPages} pages for one query`, { kind: 'network' });
      }
      if (this.requested && this.delayMs > 0) await this.ctx.sleep(this.delayMs);
      this.requested = true;
      const params = new URLSearchParams({ ...window, resultsPerPage: String(this.perPage), startIndex: String(startIndex) });
      const url = `${this.ctx.endpoints.nvd}?${params.toString()}`;
      const what = 'NVD CVE API';
      const body = await this.ctx.http.getBuffer(url, {
        what,
        maxBytes: this.ctx.limits.nvdPageBytes,
        ...(this.apiKey ? { secretHeaders: { apiKey: this.apiKey } } : {}),
        // NVD answers 403 when a client goes faster than its rate limit.
        retryStatuses: [403],
      });
      this.pages++;
      let doc: NvdPage;
      try {
        doc = JSON.parse(body.toString('utf8')) as NvdPage;
      } catch (e) {
        throw new VigilError('feed-corrupt', `${what}: GET ${url}: not JSON`, { kind: 'network', cause: e });
      }
      const total = doc.totalResults;
      if (typeof total !== 'number' || !Array.isArray(doc.vulnerabilities)) {
        throw new VigilError('feed-corrupt', `${what}: GET ${url}: not an NVD CVE API 2.0 page (no totalResults/vulnerabilities)`, { kind: 'network' });
      }
      for (const v of doc.vulnerabilities as Array<{ cve?: { id?: unknown } }>) {
        const cve = v?.cve;
        const id = typeof cve?.id === 'string' ? cve.id : '';
        const m = CVE_ID.exec(id);
        if (!cve || !m) continue;
        const yearDir = join(dir, `CVE-${m[1]}`);
        await mkdir(yearDir, { recursive: true });
        const tmp = join(yearDir, `.${id}.json.part`);
        await writeFile(tmp, JSON.stringify(cve));
        await rename(tmp, join(yearDir, `${id}.json`));
        written++;
      }
      const got = doc.vulnerabilities.length;
      startIndex += got;
      if (got === 0 || startIndex >= total) return written;
    }
  }
}
