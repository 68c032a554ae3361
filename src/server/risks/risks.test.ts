/**
 * Assets and Security Risks through the API, on SQLite and PostgreSQL. Images are the fixture
 * images' inventories (from the e2e goldens) matched against the test DB through ImageStore.match,
 * the code path every scan result takes; run-time assets are created through the API only.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { usePostgres } from '../../../test/helpers/postgres.js';
import { SHARED_DIR } from '../../../test/helpers/registry.js';
import { buildVulnDb } from '../../vulndb/build.js';
import type { Inventory } from '../../core/types.js';
import { applyVex, parseVex } from '../../policy/vex.js';
import type { ScanReport } from '../../report/types.js';
import { pdfItems } from '../reports/__fixtures__/pdf-text.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../test-helpers.js';

const pg = usePostgres();
const GOLDEN = join(import.meta.dirname, '../../../test/e2e/__golden__');
const golden = (name: string) => JSON.parse(readFileSync(join(GOLDEN, `${name}.json`), 'utf8')) as ScanReport;
const inventoryOf = (r: ScanReport): Inventory => ({ artifact: r.artifact, packages: r.packages, warnings: [] });
const APP = golden('app');
const DEB = golden('debian12');
const ALPINE = golden('alpine-fake');
const APP_DIGEST = APP.artifact.digest!;
const DEB_DIGEST = DEB.artifact.digest!;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
type Body = Record<string, any>;

describe.each(pg.backends)('%s', (_backend, database) => {
  let t: TestApp;
  let admin: string;
  let reader: string;
  let ci: string;
  let appReport: ScanReport;
  let debReport: ScanReport;
  let dbDir: string;

  const api = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token: string | null = admin) => {
    const r = await t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: r.statusCode, body: (r.body && r.headers['content-type']?.toString().includes('json') ? r.json() : {}) as Body, raw: r };
  };
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const r = await api(method, url, payload);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.raw.body}`);
    return r.body;
  };
  const rows = async (query = '') => (await ok('GET', `/api/v1/risks/vulnerabilities?limit=500${query}`)) as { total: number; rows: Body[]; bySeverity: Record<string, number> };
  const row = async (id: string) => (await rows(`&q=${encodeURIComponent(id)}`)).rows.find((r) => r.id === id)!;

  beforeEach(async () => {
    // Each app gets its own copy of the test DB: one test replaces it.
    dbDir = mkdtempSync(join(tmpdir(), 'vigil-risks-'));
    copyFileSync(process.env.VIGIL_DB!, join(dbDir, 'vigil.db'));
    t = await testApp(await database(), { vulnDbPath: join(dbDir, 'vigil.db') });
    admin = await t.login('admin', PASSWORDS.admin);
    reader = await t.login('reader', PASSWORDS.reader);
    ci = await t.login('ci', PASSWORDS.ci);
    const images = t.app.scans.images;
    for (const [digest, r] of [
      [APP_DIGEST, APP],
      [DEB_DIGEST, DEB],
    ] as const) {
      await images.saveInventory(digest, inventoryOf(r), 1);
      await images.match(digest, inventoryOf(r), t.app.vulndb.reader!);
    }
    appReport = (await images.report(APP_DIGEST))!;
    debReport = (await images.report(DEB_DIGEST))!;
    const reg = await ok('POST', '/api/v1/registries', { name: 'local', type: 'docker-v2', url: 'http://127.0.0.1:5000', filters: ['demo/*'] });
    const now = new Date().toISOString();
    await t.app.store.db
      .insertInto('registry_tags')
      .values([
        { registry_id: reg.id as string, repository: 'demo/app', tag: '1', digest: APP_DIGEST, first_seen: now, last_seen: now },
        { registry_id: reg.id as string, repository: 'demo/base', tag: '12', digest: DEB_DIGEST, first_seen: now, last_seen: now },
      ])
      .execute();
  });
  afterEach(async () => {
    await t.close();
    rmSync(dbDir, { recursive: true, force: true });
  });

  /** A platform, a node with a matched inventory, and three containers (one stopped). */
  async function fleet(): Promise<void> {
    await ok('PUT', '/api/v1/platforms/k8s', { name: 'prod-cluster', type: 'kubernetes', version: '1.29.4' });
    await ok('PUT', '/api/v1/nodes/node-1', { name: 'node-1', platform: 'k8s', kernel: '6.1.0' });
    await ok('PUT', '/api/v1/nodes/node-2', { name: 'node-2', platform: 'k8s', os: 'ubuntu 22.04' });
    await ok('PUT', '/api/v1/containers/c1', { name: 'web-1', namespace: 'prod', service: 'web', image: 'demo/app:1', imageDigest: APP_DIGEST, node: 'node-1' });
    await ok('PUT', '/api/v1/containers/c2', { name: 'db-1', namespace: 'prod', service: 'db', image: 'demo/base:12', imageDigest: DEB_DIGEST, node: 'node-2' });
    await ok('PUT', '/api/v1/containers/c3', { name: 'web-1', namespace: 'staging', service: 'web', image: 'demo/app:1', imageDigest: APP_DIGEST, node: 'node-2', state: 'stopped' });
    const node = await ok('PUT', '/api/v1/nodes/node-1/report', inventoryOf(ALPINE));
    expect(node).toMatchObject({ matched: true, findings: ALPINE.vulnerabilities.length });
    const platformReport: ScanReport = {
      ...APP,
      artifact: { type: 'host', name: 'kubernetes 1.29.4' },
      packages: [{ name: 'k8s.io/kubernetes', version: 'v1.29.4', type: 'golang', purl: 'pkg:golang/k8s.io/kubernetes@v1.29.4', locations: [] }],
      vulnerabilities: [
        { id: 'CVE-2099-0001', aliases: [], package: { name: 'k8s.io/kubernetes', version: 'v1.29.4', type: 'golang' }, fixedVersion: 'v1.29.7', status: 'fixed', severity: 'high', cvss: { score: 8.1, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' }, kev: false, epss: 0.02, source: 'ghsa', title: 'kubelet escape' },
      ],
    };
    expect(await ok('PUT', '/api/v1/platforms/k8s/report', platformReport)).toMatchObject({ matched: false, findings: 1 });
  }

  const ids = (r: ScanReport) => new Set(r.vulnerabilities.map((v) => v.id));
  const union = (...sets: Array<Set<string>>) => new Set(sets.flatMap((s) => [...s]));

  test('assets: upsert, list with filters and paging, delete, controllers leader, groups and their mode; 4xx with a message; roles', async () => {
    await fleet();
    expect((await api('PUT', '/api/v1/containers/c1', { name: 'web-1', namespace: 'prod', service: 'web', imageDigest: APP_DIGEST })).status).toBe(200);
    const prod = await ok('GET', '/api/v1/containers?namespace=prod');
    expect(prod.total).toBe(2);
    expect(prod.containers.map((c: Body) => c.id)).toEqual(['c2', 'c1']);
    expect(prod.containers[1]).toMatchObject({ group: 'nv.web.prod', policyMode: 'discover', imageDigest: APP_DIGEST });
    const page = await ok('GET', '/api/v1/containers?limit=1&offset=1');
    expect(page.total).toBe(3);
    expect(page.containers).toHaveLength(1);
    expect((await ok('GET', '/api/v1/containers?q=WEB')).total).toBe(2);
    expect((await ok('GET', '/api/v1/nodes')).nodes.map((n: Body) => [n.id, n.group, n.summary?.total ?? null])).toEqual([
      ['node-1', 'nodes', ALPINE.vulnerabilities.length],
      ['node-2', 'nodes', null],
    ]);
    // The node's OS comes from its report when the agent did not say.
    expect((await ok('GET', '/api/v1/nodes/node-1')).os).toBe('alpine 3.15.4');
    expect((await ok('GET', '/api/v1/platforms')).platforms[0]).toMatchObject({ id: 'k8s', type: 'kubernetes', version: '1.29.4', summary: { high: 1, total: 1 } });

    await ok('PUT', '/api/v1/controllers/ctl-a', { name: 'controller-a', leader: true, version: '0.1.0' });
    await ok('PUT', '/api/v1/controllers/ctl-b', { name: 'controller-b', leader: true });
    expect((await ok('GET', '/api/v1/controllers')).controllers.map((c: Body) => [c.id, c.leader])).toEqual([
      ['ctl-b', true],
      ['ctl-a', false],
    ]);
    expect((await api('PUT', '/api/v1/enforcers/enf-1', { name: 'enforcer-1', node: 'node-1' })).status).toBe(201);
    expect((await ok('GET', '/api/v1/enforcers?node=node-1')).total).toBe(1);

    const groups = await ok('GET', '/api/v1/groups');
    expect(groups.groups.map((g: Body) => [g.name, g.policyMode, g.members.containers, g.members.nodes])).toEqual([
      ['nodes', 'discover', 0, 2],
      ['nv.db.prod', 'discover', 1, 0],
      ['nv.web.prod', 'discover', 1, 0],
      ['nv.web.staging', 'discover', 1, 0],
    ]);
    expect((await ok('PATCH', '/api/v1/groups/nv.web.prod', { policyMode: 'protect' })).policyMode).toBe('protect');
    expect((await ok('GET', '/api/v1/containers/c1')).policyMode).toBe('protect');
    const ev = (await ok('GET', '/api/v1/events?category=group')).events as Body[];
    expect(ev[0]).toMatchObject({ action: 'group.policy-mode', actor: 'admin', target: 'nv.web.prod', detail: { from: 'discover', to: 'protect' } });
    expect((await api('DELETE', '/api/v1/groups/nv.web.prod')).status).toBe(409);

    expect((await api('DELETE', '/api/v1/containers/c3')).status).toBe(204);
    expect((await api('DELETE', '/api/v1/controllers/ctl-a')).status).toBe(204);
    expect((await api('DELETE', '/api/v1/enforcers/enf-1')).status).toBe(204);
    expect((await api('DELETE', '/api/v1/nodes/node-2')).status).toBe(204);
    expect((await api('DELETE', '/api/v1/platforms/k8s')).status).toBe(204);

    // Every route answers bad input with a 4xx and a message.
    const bad: Array<[Parameters<typeof api>[0], string, unknown, number, RegExp]> = [
      ['PUT', '/api/v1/containers/c9', { name: 'x', colour: 'red' }, 400, /additional properties/],
      ['PUT', '/api/v1/containers/c9', { name: 'x', imageDigest: 'sha256:nope' }, 400, /imageDigest/],
      ['PUT', '/api/v1/containers/c9', {}, 400, /name/],
      ['PUT', '/api/v1/containers/bad%2Fid', { name: 'x' }, 400, /id/],
      ['GET', '/api/v1/containers?limit=0', undefined, 400, /limit/],
      ['GET', '/api/v1/containers/c3', undefined, 404, /no container c3/],
      ['DELETE', '/api/v1/containers/c3', undefined, 404, /no container c3/],
      ['PUT', '/api/v1/nodes/n9', { name: 'n9', state: 'Running!' }, 400, /state/],
      ['GET', '/api/v1/nodes/node-2', undefined, 404, /no node node-2/],
      ['DELETE', '/api/v1/nodes/node-2', undefined, 404, /no node/],
      ['PUT', '/api/v1/nodes/node-2/report', inventoryOf(ALPINE), 404, /no node node-2; register it first/],
      ['PUT', '/api/v1/nodes/node-1/report', { artifact: { type: 'host' } }, 400, /name|packages/],
      ['PUT', '/api/v1/nodes/node-1/compliance', { schemaVersion: 2, benchmark: 'x', results: [] }, 400, /schemaVersion/],
      ['GET', '/api/v1/nodes/node-2/report', undefined, 404, /no report/],
      ['PUT', '/api/v1/platforms/p9', { name: 'p9' }, 400, /type/],
      ['DELETE', '/api/v1/platforms/k8s', undefined, 404, /no platform/],
      ['PUT', '/api/v1/platforms/k8s/report', inventoryOf(ALPINE), 404, /no platform/],
      ['PUT', '/api/v1/controllers/c9', { name: 'x', leader: 'yes' }, 400, /leader/],
      ['DELETE', '/api/v1/controllers/ctl-a', undefined, 404, /no controller ctl-a/],
      ['PUT', '/api/v1/enforcers/e9', { node: 'n' }, 400, /name/],
      ['DELETE', '/api/v1/enforcers/enf-1', undefined, 404, /no enforcer/],
      ['PATCH', '/api/v1/groups/nv.web.prod', { policyMode: 'enforce' }, 400, /policyMode/],
      ['PATCH', '/api/v1/groups/nv.web.prod', {}, 400, /properties/],
      ['PATCH', '/api/v1/groups/none', { policyMode: 'monitor' }, 404, /no group none/],
      ['GET', '/api/v1/groups/none', undefined, 404, /no group/],
      ['DELETE', '/api/v1/groups/none', undefined, 404, /no group/],
      ['GET', '/api/v1/groups?policyMode=off', undefined, 400, /policyMode/],
    ];
    for (const [method, url, payload, status, message] of bad) {
      const r = await api(method, url, payload);
      expect([method, url, r.status]).toEqual([method, url, status]);
      expect(r.body.message, `${method} ${url}`).toMatch(message);
    }

    // Roles: readers and CI tokens list; only writers change; nobody anonymous.
    expect((await api('GET', '/api/v1/containers', undefined, reader)).status).toBe(200);
    expect((await api('GET', '/api/v1/groups', undefined, ci)).status).toBe(200);
    for (const token of [reader, ci]) {
      expect((await api('PUT', '/api/v1/containers/c9', { name: 'x' }, token)).status).toBe(403);
      expect((await api('PATCH', '/api/v1/groups/nv.web.prod', { policyMode: 'monitor' }, token)).status).toBe(403);
      expect((await api('PUT', '/api/v1/nodes/node-1/report', inventoryOf(ALPINE), token)).status).toBe(403);
      expect((await api('DELETE', '/api/v1/nodes/node-1', undefined, token)).status).toBe(403);
    }
    expect((await api('GET', '/api/v1/nodes', undefined, null)).status).toBe(401);
  });

  test('vulnerabilities: one row per CVE with counts, filters, sorting, paging, impact, protection state', async () => {
    await fleet();
    const appIds = ids(appReport);
    const debIds = ids(debReport);
    const alpineIds = ids(ALPINE);
    const all = union(appIds, debIds, alpineIds, new Set(['CVE-2099-0001']));
    const list = await rows();
    expect(list.total).toBe(all.size);
    expect(new Set(list.rows.map((r) => r.id))).toEqual(all);
    expect(Object.values(list.bySeverity).reduce((a, b) => a + b, 0)).toBe(all.size);

    const both = [...appIds].find((id) => debIds.has(id))!;
    const appOnly = [...appIds].find((id) => !debIds.has(id))!;
    expect(await row(both)).toMatchObject({ impact: { images: 2, containers: 2, nodes: 0, platforms: 0 }, protection: { unaffected: 0, protected: 0, unprotected: 2, state: 'unprotected' } });
    // c3 is stopped: it does not count.
    expect(await row(appOnly)).toMatchObject({ impact: { images: 1, containers: 1 }, protection: { unprotected: 1, state: 'unprotected' } });
    const nodeCve = [...alpineIds][0]!;
    expect(await row(nodeCve)).toMatchObject({ impact: { images: 0, nodes: 1, containers: 0 }, protection: { unprotected: 1 } });
    expect(await row('CVE-2099-0001')).toMatchObject({ severity: 'high', score: 8.1, fixAvailable: true, impact: { platforms: 1 }, packages: ['k8s.io/kubernetes'] });

    // Changing a group's mode moves the protection state.
    await ok('PATCH', '/api/v1/groups/nv.web.prod', { policyMode: 'monitor' });
    expect(await row(appOnly)).toMatchObject({ protection: { protected: 1, unprotected: 0, state: 'protected' } });
    expect(await row(both)).toMatchObject({ protection: { protected: 1, unprotected: 1, state: 'unprotected' } });
    await ok('PATCH', '/api/v1/groups/nodes', { policyMode: 'protect' });
    expect(await row(nodeCve)).toMatchObject({ protection: { protected: 1, unprotected: 0, state: 'protected' } });
    // No running container left for the app image: its vulnerabilities are unaffected.
    await ok('PUT', '/api/v1/containers/c1', { name: 'web-1', namespace: 'prod', service: 'web', imageDigest: APP_DIGEST, state: 'stopped' });
    expect(await row(appOnly)).toMatchObject({ impact: { containers: 0 }, protection: { unaffected: 1, protected: 0, unprotected: 0, state: 'unaffected' } });
    await ok('PUT', '/api/v1/containers/c1', { name: 'web-1', namespace: 'prod', service: 'web', imageDigest: APP_DIGEST, node: 'node-1' });

    // Filters
    const crit = await rows('&severity=critical');
    expect(crit.rows.every((r) => r.severity === 'critical')).toBe(true);
    expect(crit.total).toBe(list.rows.filter((r) => r.severity === 'critical').length);
    expect((await rows('&severity=CRITICAL,high')).total).toBe(list.rows.filter((r) => r.severity === 'critical' || r.severity === 'high').length);
    const fixable = await rows('&fixable=true');
    expect(fixable.total).toBe(list.rows.filter((r) => r.fixAvailable).length);
    expect(fixable.total).toBeGreaterThan(0);
    const lodash = await rows('&q=LODASH');
    expect(lodash.total).toBeGreaterThan(0);
    expect(lodash.rows.every((r) => r.packages.includes('lodash') || r.id.toLowerCase().includes('lodash') || `${r.title} ${r.description}`.toLowerCase().includes('lodash'))).toBe(true);
    expect((await rows(`&q=${both.toLowerCase()}`)).rows.map((r) => r.id)).toContain(both);
    const prod = new Set((await rows('&namespace=prod')).rows.map((r) => r.id));
    expect(prod).toEqual(union(appIds, debIds));
    expect(new Set((await rows('&namespace=PRO&namespaceMatch=contains')).rows.map((r) => r.id))).toEqual(prod);
    expect((await rows('&namespace=staging')).total).toBe(0);
    expect(new Set((await rows('&service=db')).rows.map((r) => r.id))).toEqual(debIds);
    expect(new Set((await rows('&container=db-1')).rows.map((r) => r.id))).toEqual(debIds);
    expect(new Set((await rows('&node=node-1')).rows.map((r) => r.id))).toEqual(union(alpineIds, appIds));
    expect(new Set((await rows('&image=demo/base:12')).rows.map((r) => r.id))).toEqual(debIds);
    expect(new Set((await rows('&image=base&imageMatch=contains')).rows.map((r) => r.id))).toEqual(debIds);
    expect(new Set((await rows('&os=alpine&osMatch=contains')).rows.map((r) => r.id))).toEqual(alpineIds);
    expect(new Set((await rows('&os=debian 12')).rows.map((r) => r.id))).toEqual(union(appIds, debIds));
    expect(new Set((await rows('&view=infrastructure')).rows.map((r) => r.id))).toEqual(union(alpineIds, new Set(['CVE-2099-0001'])));
    expect(new Set((await rows('&view=containers')).rows.map((r) => r.id))).toEqual(union(appIds, debIds));
    expect(new Set((await rows('&view=registry')).rows.map((r) => r.id))).toEqual(union(appIds, debIds));
    const scored = await rows('&scoreMin=8&scoreMax=10');
    expect(scored.rows.every((r) => r.score >= 8 && r.score <= 10)).toBe(true);
    expect(scored.rows.map((r) => r.id)).toContain('CVE-2099-0001');
    const withDates = list.rows.filter((r) => r.published);
    if (withDates.length) {
      const d = withDates[0]!.published as string;
      expect((await rows(`&publishedAfter=${d}`)).rows.every((r) => r.published >= d)).toBe(true);
      expect((await rows(`&publishedBefore=${d}`)).rows.every((r) => r.published < d)).toBe(true);
    }

    // Sorting by any column, and paging.
    const byId = await rows('&sort=id&order=asc');
    expect(byId.rows.map((r) => r.id)).toEqual([...all].sort());
    const p1 = await ok('GET', '/api/v1/risks/vulnerabilities?sort=id&order=asc&limit=5');
    const p2 = await ok('GET', '/api/v1/risks/vulnerabilities?sort=id&order=asc&limit=5&offset=5');
    expect([...p1.rows, ...p2.rows].map((r: Body) => r.id)).toEqual(byId.rows.slice(0, 10).map((r) => r.id));
    expect(p2).toMatchObject({ total: all.size, offset: 5, limit: 5 });
    for (const [sort, value] of [
      ['severity', (r: Body) => ['unknown', 'negligible', 'low', 'medium', 'high', 'critical'].indexOf(r.severity)],
      ['containers', (r: Body) => r.impact.containers],
      ['images', (r: Body) => r.impact.images],
      ['score', (r: Body) => r.score ?? -1],
    ] as const) {
      const vals = (await rows(`&sort=${sort}&order=desc`)).rows.map(value);
      expect(vals, sort).toEqual([...vals].sort((a, b) => b - a));
    }
    const pubAsc = (await rows('&sort=published&order=asc')).rows.map((r) => r.published);
    const dated = pubAsc.filter((p) => p !== null);
    expect(dated).toEqual([...dated].sort());
    expect(pubAsc.slice(dated.length).every((p) => p === null)).toBe(true);

    // Impact of one CVE
    const detail = await ok('GET', `/api/v1/risks/vulnerabilities/${both}`);
    expect(detail.impact.images.items.map((i: Body) => i.digest).sort()).toEqual([APP_DIGEST, DEB_DIGEST].sort());
    const appItem = detail.impact.images.items.find((i: Body) => i.digest === APP_DIGEST);
    expect(appItem).toMatchObject({ names: ['demo/app:1'], os: 'debian 12', containers: 1, protection: 'protected' });
    const finding = appReport.vulnerabilities.find((v) => v.id === both)!;
    expect(appItem.packages).toContainEqual({ name: finding.package.name, type: finding.package.type, installed: finding.package.version, fixed: finding.fixedVersion });
    expect(detail.impact.containers.items.map((c: Body) => [c.id, c.namespace, c.policyMode, c.protection, c.node])).toEqual([
      ['c2', 'prod', 'discover', 'unprotected', 'node-2'],
      ['c1', 'prod', 'monitor', 'protected', 'node-1'],
    ]);
    expect(detail.remediation).toMatch(finding.fixedVersion ? new RegExp(`Upgrade ${finding.package.name} to`) : /No fixed version/);
    const nodeDetail = await ok('GET', `/api/v1/risks/vulnerabilities/${nodeCve}`);
    expect(nodeDetail.impact.nodes.items[0]).toMatchObject({ id: 'node-1', group: 'nodes', policyMode: 'protect', protection: 'protected' });
    expect((await ok('GET', '/api/v1/risks/vulnerabilities/CVE-2099-0001')).impact.platforms.items[0]).toMatchObject({ id: 'k8s', packages: [{ name: 'k8s.io/kubernetes', installed: 'v1.29.4', fixed: 'v1.29.7' }] });

    // A re-match that drops findings takes them out of the view.
    await t.app.scans.images.match(DEB_DIGEST, { ...inventoryOf(DEB), packages: [] }, t.app.vulndb.reader!);
    expect((await row(both)).impact).toMatchObject({ images: 1, containers: 1 });
    expect(new Set((await rows('&service=db')).rows.map((r) => r.id))).toEqual(new Set());

    // Bad queries name what is wrong.
    for (const [q, message] of [
      ['severity=urgent', /severity: 'urgent'/],
      ['sort=colour', /sort/],
      ['colour=red', /additional properties/],
      ['publishedAfter=yesterday', /publishedAfter/],
      ['scoreMin=9&scoreMax=2', /scoreMin is greater/],
      ['scoreMin=11', /scoreMin/],
      ['namespaceMatch=contains', /namespaceMatch without namespace/],
      ['limit=501', /limit/],
    ] as const) {
      const r = await api('GET', `/api/v1/risks/vulnerabilities?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      expect(r.body.message).toMatch(message);
    }
    expect((await api('GET', '/api/v1/risks/vulnerabilities/CVE-1999-0000')).body.message).toMatch(/no vulnerability CVE-1999-0000/);
    expect((await api('GET', '/api/v1/risks/vulnerabilities/bad%20id')).status).toBe(400);
    expect((await api('GET', `/api/v1/risks/vulnerabilities/${both}?limit=0`)).body.message).toMatch(/limit/);
    expect((await api('PUT', '/api/v1/risks/compliance/images/sha256:nope', { schemaVersion: 1, benchmark: 'b', results: [] })).status).toBe(400);
    expect((await api('PUT', `/api/v1/risks/compliance/images/sha256:${'0'.repeat(64)}`, { schemaVersion: 1, benchmark: 'b', results: [] })).body.message).toMatch(/no image/);
    expect((await api('GET', '/api/v1/risks/acceptances?active=maybe')).status).toBe(400);
    expect((await api('DELETE', '/api/v1/risks/acceptances/none')).body.message).toMatch(/no acceptance none/);
    expect((await api('GET', '/api/v1/risks/vulnerabilities', undefined, reader)).status).toBe(200);
    expect((await api('GET', '/api/v1/risks/vulnerabilities', undefined, null)).status).toBe(401);
  });

  test('compliance: reports from a node, a container and an image; one row per failing check; impact with policy mode', async () => {
    await fleet();
    const report = (results: Array<[string, string]>) => ({
      schemaVersion: 1,
      benchmark: 'cis-docker-1.6.0',
      target: { type: 'host', name: 'x' },
      results: results.map(([id, level]) => ({ id, title: `check ${id}`, level, type: 'host', profile: 'Level 1', scored: true, automated: true, evidence: [`${id} evidence`], remediation: `fix ${id}`, tags: ['PCI'] })),
      summary: {},
    });
    expect(await ok('PUT', '/api/v1/nodes/node-1/compliance', report([['1.1', 'WARN'], ['1.2', 'PASS'], ['2.1', 'WARN']]))).toEqual({ checks: 3, failed: 2 });
    await ok('PUT', '/api/v1/containers/c1/compliance', report([['5.1', 'WARN'], ['1.1', 'WARN']]));
    await ok('PUT', `/api/v1/risks/compliance/images/${DEB_DIGEST}`, { ...report([['I.4.1', 'WARN']]), benchmark: 'vigil-image-1' });
    const list = await ok('GET', '/api/v1/risks/compliance');
    expect(list.rows.map((r: Body) => [r.benchmark, r.id, r.impact.nodes, r.impact.containers, r.impact.images])).toEqual([
      ['cis-docker-1.6.0', '1.1', 1, 1, 0],
      ['cis-docker-1.6.0', '2.1', 1, 0, 0],
      ['cis-docker-1.6.0', '5.1', 0, 1, 0],
      ['vigil-image-1', 'I.4.1', 0, 0, 1],
    ]);
    expect(list.rows[0]).toMatchObject({ title: 'check 1.1', remediation: 'fix 1.1', tags: ['PCI'], protection: { unprotected: 2, protected: 0 } });
    // c2 runs the debian image: the image check is not unaffected.
    expect(list.rows[3].protection).toEqual({ unaffected: 0, protected: 0, unprotected: 0 });
    await ok('PATCH', '/api/v1/groups/nv.web.prod', { policyMode: 'protect' });
    expect((await ok('GET', '/api/v1/risks/compliance?q=1.1')).rows[0].protection).toEqual({ unaffected: 0, protected: 1, unprotected: 1 });
    expect((await ok('GET', '/api/v1/risks/compliance?view=containers')).rows.map((r: Body) => r.id)).toEqual(['1.1', '5.1']);
    expect((await ok('GET', '/api/v1/risks/compliance?namespace=prod')).total).toBe(2);
    expect((await ok('GET', '/api/v1/risks/compliance?node=node-1&level=WARN,PASS')).total).toBe(3);
    expect((await ok('GET', '/api/v1/risks/compliance?sort=nodes&order=desc&limit=1')).rows[0].impact.nodes).toBe(1);
    const impact = await ok('GET', '/api/v1/risks/compliance/cis-docker-1.6.0/1.1');
    expect(impact.items.map((i: Body) => [i.kind, i.id, i.name, i.policyMode, i.namespace])).toEqual([
      ['container', 'c1', 'web-1', 'protect', 'prod'],
      ['node', 'node-1', 'node-1', 'discover', null],
    ]);
    expect(impact.items[0].evidence).toEqual(['1.1 evidence']);
    // The next report of the same benchmark replaces the last one.
    await ok('PUT', '/api/v1/nodes/node-1/compliance', report([['1.1', 'PASS']]));
    expect((await ok('GET', '/api/v1/risks/compliance')).rows.map((r: Body) => r.id)).toEqual(['1.1', '5.1', 'I.4.1']);
    expect((await api('GET', '/api/v1/risks/compliance/cis-docker-1.6.0/9.9')).status).toBe(404);
    expect((await api('GET', '/api/v1/risks/compliance?level=BAD')).body.message).toMatch(/level: 'BAD'/);
    expect((await api('PUT', '/api/v1/containers/c9/compliance', report([]))).status).toBe(404);
    expect((await api('PUT', '/api/v1/nodes/node-1/compliance', report([['1.1', 'WARN'], ['1.1', 'PASS']]))).body.message).toMatch(/appears twice/);
    expect((await api('PUT', '/api/v1/nodes/node-1/compliance', report([['1.1', 'WARN']]), reader)).status).toBe(403);
  });

  test('compliance CSV and PDF hold exactly the filtered view, in its order; bad filter 400; reader reads; no token 401', async () => {
    await fleet();
    const report = (benchmark: string, results: Array<[string, string, string[]]>) => ({
      schemaVersion: 1,
      benchmark,
      target: { type: 'host', name: 'x' },
      results: results.map(([id, level, tags]) => ({ id, title: `check ${id}, "quoted"`, level, type: 'host', profile: 'Level 1', scored: true, automated: true, evidence: [], remediation: `=fix ${id}`, tags })),
      summary: {},
    });
    await ok('PUT', '/api/v1/nodes/node-1/compliance', report('cis-docker-1.6.0', [['1.1', 'WARN', ['PCI']], ['1.2', 'PASS', []], ['2.1', 'WARN', ['HIPAA']]]));
    await ok('PUT', '/api/v1/containers/c1/compliance', report('cis-docker-1.6.0', [['5.1', 'WARN', ['PCI']], ['1.1', 'WARN', ['PCI']]]));
    await ok('PUT', '/api/v1/containers/c2/compliance', report('cis-docker-1.6.0', [['5.2', 'WARN', ['GDPR']]]));
    await ok('PUT', `/api/v1/risks/compliance/images/${DEB_DIGEST}`, report('vigil-image-1', [['I.4.1', 'WARN', ['PCI']]]));
    const q = 'tags=PCI&view=containers&sort=id&order=desc';
    const view = await ok('GET', `/api/v1/risks/compliance?${q}`);
    expect(view.rows.map((r: Body) => r.id)).toEqual(['5.1', '1.1']);

    const csv = await api('GET', `/api/v1/risks/compliance.csv?${q}`, undefined, reader);
    expect(csv.status).toBe(200);
    expect(csv.raw.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.raw.headers['content-disposition']).toMatch(/attachment; filename="vigil-report-security-risks-compliance-\d{8}\.csv"/);
    const lines = parse(csv.raw.body, { columns: true }) as Array<Record<string, string>>;
    expect(lines.map((l) => [l.benchmark, l.check_id, l.title, l.levels, l.tags, l.images, l.nodes, l.containers, l.platforms, l.remediation])).toEqual(
      view.rows.map((r: Body) => [r.benchmark, r.id, r.title, 'WARN', r.tags.join('; '), String(r.impact.images), String(r.impact.nodes), String(r.impact.containers), String(r.impact.platforms), `'${r.remediation}`]),
    );
    // No filter: every failing check, the same as the list.
    const all = await ok('GET', '/api/v1/risks/compliance?limit=500');
    const allCsv = parse((await api('GET', '/api/v1/risks/compliance.csv')).raw.body, { columns: true }) as Array<Record<string, string>>;
    expect(allCsv.map((l) => `${l.benchmark}/${l.check_id}`)).toEqual(all.rows.map((r: Body) => `${r.benchmark}/${r.id}`));

    const pdf = await api('GET', `/api/v1/risks/compliance.pdf?${q}`, undefined, reader);
    expect(pdf.status).toBe(200);
    expect(pdf.raw.headers['content-type']).toBe('application/pdf');
    const { items } = await pdfItems(pdf.raw.rawPayload);
    const text = items.map((i) => i.str).join('\n');
    expect(text).toMatch(/Security Risks: compliance/);
    expect(text).toMatch(/level WARN; tags PCI; view containers/);
    expect(text).toMatch(/2 checks in 1 benchmark/);
    const cells = new Set(items.map((i) => i.str));
    const checkIds = ['1.1', '1.2', '2.1', '5.1', '5.2', 'I.4.1'];
    expect(checkIds.filter((id) => cells.has(id))).toEqual(['1.1', '5.1']);

    for (const ext of ['csv', 'pdf']) {
      const bad = await api('GET', `/api/v1/risks/compliance.${ext}?level=BAD`);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/level: 'BAD'/);
      expect((await api('GET', `/api/v1/risks/compliance.${ext}?nodeMatch=contains`)).body.message).toMatch(/nodeMatch without node/);
      expect((await api('GET', `/api/v1/risks/compliance.${ext}?limit=5`)).status).toBe(400);
      expect((await api('GET', `/api/v1/risks/compliance.${ext}`, undefined, null)).status).toBe(401);
    }
  });

  test('accept globally, per image, per namespace with expiry; marked and filterable; OpenVEX that vigil --vex reads back', async () => {
    await fleet();
    const appIds = ids(appReport);
    const debIds = ids(debReport);
    const shared = [...appIds].filter((id) => debIds.has(id));
    const [globalId, imageId, nsId] = shared;
    expect(nsId).toBeDefined();
    const a1 = await api('POST', '/api/v1/risks/acceptances', { vulnerability: globalId, scope: 'global', comment: 'not reachable in our builds' });
    expect(a1.status).toBe(201);
    expect(a1.body).toMatchObject({ vulnerability: globalId, scope: 'global', image: null, active: true, createdBy: 'admin', expiresAt: null });
    const a2 = await ok('POST', '/api/v1/risks/acceptances', { vulnerability: imageId, scope: 'image', image: 'demo/app:1', comment: 'mitigated in app' });
    expect(a2.image).toBe(APP_DIGEST);
    const expires = new Date(Date.now() + 3600_000).toISOString();
    await ok('POST', '/api/v1/risks/acceptances', { vulnerability: nsId, scope: 'namespace', namespace: 'prod', comment: 'until the next release', expiresAt: expires });

    expect((await row(globalId!)).accepted).toBe('global');
    expect((await row(imageId!)).accepted).toBe('partial');
    expect((await row(nsId!)).accepted).toBe('partial');
    expect(new Set((await rows('&accepted=true')).rows.map((r) => r.id))).toEqual(new Set([globalId, imageId, nsId]));
    const total = (await rows()).total;
    expect((await rows('&accepted=false')).total).toBe(total - 3);
    const detail = await ok('GET', `/api/v1/risks/vulnerabilities/${imageId}`);
    expect(detail.impact.images.items.map((i: Body) => [i.digest, i.accepted]).sort()).toEqual(
      [
        [APP_DIGEST, true],
        [DEB_DIGEST, false],
      ].sort(),
    );
    const nsDetail = await ok('GET', `/api/v1/risks/vulnerabilities/${nsId}`);
    expect(nsDetail.impact.containers.items.every((c: Body) => c.accepted === (c.namespace === 'prod'))).toBe(true);
    expect((await ok('GET', '/api/v1/events?category=risk')).events.map((e: Body) => e.action)).toEqual(['risk.accepted', 'risk.accepted', 'risk.accepted']);

    // OpenVEX round trip: our own --vex loader suppresses exactly the accepted findings.
    const vexRes = await api('GET', '/api/v1/risks/acceptances/openvex', undefined, reader);
    expect(vexRes.status).toBe(200);
    const doc = parseVex(vexRes.raw.body, 'export.json');
    expect(doc.statements.map((s) => s.vulnerability.name).sort()).toEqual([globalId, imageId, nsId].sort());
    const appFull = (await t.app.scans.images.report(APP_DIGEST))!;
    const debFull = (await t.app.scans.images.report(DEB_DIGEST))!;
    const suppressed = (r: ScanReport) => new Set((applyVex(r, [doc]).suppressed ?? []).map((s) => s.finding.id));
    expect(suppressed(appFull)).toEqual(new Set([globalId, imageId, nsId]));
    // The debian image: accepted globally and in namespace prod (it runs there), not the app-only acceptance.
    expect(suppressed(debFull)).toEqual(new Set([globalId, nsId]));
    const appAfter = applyVex(appFull, [doc]);
    expect(appAfter.vulnerabilities.some((v) => [globalId, imageId, nsId].includes(v.id))).toBe(false);

    // Expiry: the namespace acceptance lapses.
    t.advance(2 * 3600_000);
    expect((await row(nsId!)).accepted).toBe(null);
    expect((await ok('GET', '/api/v1/risks/acceptances?active=false')).acceptances.map((a: Body) => a.vulnerability)).toEqual([nsId]);
    const later = parseVex((await api('GET', '/api/v1/risks/acceptances/openvex')).raw.body);
    expect(later.statements.map((s) => s.vulnerability.name).sort()).toEqual([globalId, imageId].sort());

    // Withdraw
    expect((await api('DELETE', `/api/v1/risks/acceptances/${a1.body.id}`)).status).toBe(204);
    expect((await row(globalId!)).accepted).toBe(null);
    expect((await api('DELETE', `/api/v1/risks/acceptances/${a1.body.id}`)).status).toBe(404);

    for (const [payload, status, message] of [
      [{ vulnerability: imageId, scope: 'image', image: APP_DIGEST, comment: 'again' }, 409, /already accepted/],
      [{ vulnerability: imageId, scope: 'image', comment: 'x' }, 400, /needs image/],
      [{ vulnerability: imageId, scope: 'namespace', comment: 'x' }, 400, /needs namespace/],
      [{ vulnerability: imageId, scope: 'global', namespace: 'prod', comment: 'x' }, 400, /neither image nor namespace/],
      [{ vulnerability: imageId, scope: 'global', comment: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 400, /future/],
      [{ vulnerability: imageId, scope: 'global', comment: 'x', expiresAt: 'soon' }, 400, /expiresAt/],
      [{ vulnerability: imageId, scope: 'everywhere', comment: 'x' }, 400, /scope/],
      [{ vulnerability: imageId, scope: 'global' }, 400, /comment/],
      [{ vulnerability: 'CVE-1999-0000', scope: 'global', comment: 'x' }, 404, /no vulnerability CVE-1999-0000/],
      [{ vulnerability: imageId, scope: 'image', image: 'demo/none:1', comment: 'x' }, 404, /no scanned image/],
    ] as const) {
      const r = await api('POST', '/api/v1/risks/acceptances', payload);
      expect([JSON.stringify(payload), r.status]).toEqual([JSON.stringify(payload), status]);
      expect(r.body.message).toMatch(message);
    }
    expect((await api('POST', '/api/v1/risks/acceptances', { vulnerability: imageId, scope: 'global', comment: 'x' }, reader)).status).toBe(403);
    expect((await api('POST', '/api/v1/risks/acceptances', { vulnerability: imageId, scope: 'global', comment: 'x' }, ci)).status).toBe(403);
  });

  test('a new vulnerability DB re-matches node inventories and refreshes the rows', async () => {
    await fleet();
    const alpineIds = ids(ALPINE);
    expect((await rows('&node=node-1')).rows.map((r) => r.id)).toEqual(expect.arrayContaining([...alpineIds]));
    // The Debian-only DB knows nothing of Alpine: the node's findings go, the images' Debian ones stay.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-risks-db-'));
    try {
      await buildVulnDb({ out: join(dir, 'debian.db'), inputs: [join(SHARED_DIR, 'vulndata/debian')] });
      copyFileSync(join(dir, 'debian.db'), t.app.vulndb.path);
      expect(t.app.vulndb.reloadIfChanged()).toBe(true);
      await rows();
      await t.app.risks.settled();
      const after = await rows();
      for (const id of alpineIds) expect(after.rows.map((r) => r.id)).not.toContain(id);
      expect((await ok('GET', '/api/v1/nodes/node-1')).summary.total).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('CSV and PDF hold exactly the filtered view, in its order', async () => {
    await fleet();
    const q = 'severity=high,critical&namespace=prod&sort=id&order=asc';
    const view = await rows(`&${q}`);
    expect(view.total).toBeGreaterThan(0);
    const csv = await t.app.inject({ method: 'GET', url: `/api/v1/risks/vulnerabilities.csv?${q}`, headers: bearer(reader) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="vigil-report-security-risks-vulnerabilities-\d{8}\.csv"/);
    const lines = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
    expect(lines.map((l) => l.vulnerability_id)).toEqual(view.rows.map((r) => r.id));
    const first = view.rows[0]!;
    expect(lines[0]).toMatchObject({ severity: first.severity, images: String(first.impact.images), containers: String(first.impact.containers), protection_state: first.protection.state, packages: first.packages.join('; ') });

    const pdf = await t.app.inject({ method: 'GET', url: `/api/v1/risks/vulnerabilities.pdf?${q}`, headers: bearer(admin) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const { items } = await pdfItems(pdf.rawPayload);
    const text = items.map((i) => i.str).join('\n');
    expect(text).toMatch(/Security Risks: vulnerabilities/);
    expect(text).toMatch(/severity high, critical; namespace is prod/);
    expect(text).toMatch(new RegExp(`${view.total} vulnerabilit`));
    for (const r of view.rows) expect(text).toContain(r.id);
    const others = (await rows()).rows.filter((r) => !view.rows.some((v) => v.id === r.id));
    for (const r of others.slice(0, 5)) expect(text).not.toContain(r.id);

    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/risks/vulnerabilities.csv?severty=high', headers: bearer(admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/additional properties/);
  });
});
