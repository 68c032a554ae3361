/**
 * Golden JSON reports for every fixture image, matched against the DB built from
 * ../shared/vulndata (test/global-setup.ts). What changes from run to run (the fixture path,
 * the DB's build time and file times) is normalised away; everything else must stay exactly as
 * reviewed. `VIGIL_UPDATE_GOLDEN=1 npx vitest run test/e2e/golden.test.ts` rewrites them; the
 * reasons for each image's findings are in __golden__/README.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { FIXTURE_OCI } from '../helpers/registry.js';
import { runVigil } from '../helpers/cli.js';
import { FIXTURE_TAGS } from './inventory-helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function normalise(report: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(report).split(FIXTURE_OCI).join('<fixtures>/oci');
  const r = JSON.parse(text) as { db: { builtAt: string; sources: Array<{ updatedAt: string }> } };
  r.db.builtAt = '<built-at>';
  // Feeds without dates (Debian tracker, Alpine secdb) take their file's mtime: checkout time.
  for (const s of r.db.sources) s.updatedAt = '<updated-at>';
  // The advisories' own prose stays in ../shared/vulndata: the goldens keep what Vigil decided
  // (ids, packages, versions, status, severity, scores, source, layer), not copies of its text.
  for (const v of (r as unknown as { vulnerabilities: Array<Record<string, unknown>> }).vulnerabilities) {
    for (const k of ['title', 'description']) if (k in v) v[k] = '<text>';
  }
  return r as unknown as Record<string, unknown>;
}

describe.each(FIXTURE_TAGS)('golden report: %s', (tag) => {
  test('scan image --format json equals the reviewed golden file', async () => {
    const r = await runVigil(['scan', 'image', `oci:${FIXTURE_OCI}:${tag}`, '--format', 'json'], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = normalise(JSON.parse(r.stdout));
    const file = path.join(here, '__golden__', `${tag}.json`);
    if (process.env.VIGIL_UPDATE_GOLDEN === '1' || !existsSync(file)) {
      writeFileSync(file, JSON.stringify(got, null, 2) + '\n');
    }
    expect(got).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });
});
