/**
 * CIS Docker 1.6.0 on fixture roots that copy real Docker hosts, each with golden results
 * (`UPDATE_GOLDEN=1 npx vitest run src/compliance/engine` rewrites them after a reviewed change).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadInspectFile } from '../containers/index.js';
import type { ComplianceReport } from '../types.js';
import { loadBenchmark } from './load-benchmark.js';
import { runBenchmark } from './run-benchmark.js';
import { FIXTURES, makeRoot, type RootSetup } from './__fixtures__/test-roots.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function bench(fixture: string, setup: RootSetup = {}, extra: { containers?: boolean; socket?: string } = {}): Promise<ComplianceReport> {
  const { root, cleanup } = await makeRoot(fixture, setup);
  cleanups.push(cleanup);
  if (extra.socket) {
    // Sockets cannot live in git: make one, as dockerd would.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(path.join(root, extra.socket)), { recursive: true });
    const srv = net.createServer();
    await new Promise<void>((resolve) => srv.listen(path.join(root, extra.socket!), resolve));
    cleanups.push(() => new Promise((resolve) => srv.close(() => resolve())));
    const { chmod } = await import('node:fs/promises');
    await chmod(path.join(root, extra.socket), 0o666);
  }
  const containers = extra.containers ? await loadInspectFile(path.join(FIXTURES, 'containers.inspect.json')) : undefined;
  return runBenchmark(await loadBenchmark('cis-docker-1.6.0'), { root, ...(containers ? { containers } : {}) }, { targetName: fixture });
}

/** id → "LEVEL evidence…": the stable part of a result (remediation and titles live in the definition). */
function digest(r: ComplianceReport): Record<string, string[]> {
  return Object.fromEntries(r.results.map((x) => [x.id, [x.level, ...x.evidence]]));
}

async function golden(name: string, r: ComplianceReport): Promise<void> {
  const file = path.join(FIXTURES, 'golden', `${name}.golden.json`);
  const got = digest(r);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) await writeFile(file, JSON.stringify(got, null, 1) + '\n');
  expect(got).toEqual(JSON.parse(await readFile(file, 'utf8')));
}

const levels = (r: ComplianceReport, ids: string[]) => ids.map((id) => r.results.find((x) => x.id === id)?.level);

describe('CIS Docker 1.6.0 on fixture hosts', () => {
  test('compliant host: no WARN, no ERROR', async () => {
    const r = await bench('compliant', {
      modes: {
        'etc/docker': '755',
        'etc/docker/daemon.json': '644',
        'etc/docker/certs.d/registry.example.com:5000/ca.crt': '444',
        'usr/lib/systemd/system/docker.service': '644',
        'usr/lib/systemd/system/docker.socket': '644',
        'etc/default/docker': '644',
      },
      dockerGroup: ['alice'],
    });
    const bad = r.results.filter((x) => x.level === 'WARN' || x.level === 'ERROR').map((x) => `${x.id} ${x.evidence.join('; ')}`);
    expect(bad).toEqual([]);
    expect(levels(r, ['1.1.1', '2.2', '2.3', '2.14', '3.6', '3.7', '3.8', '3.18', '1.1.5', '1.1.4', '5.1'])).toEqual(Array(11).fill('PASS'));
    expect(r.results.find((x) => x.id === '1.1.2')).toMatchObject({ level: 'INFO', evidence: ['/etc/group: "alice"'] });
    await golden('compliant', r);
  });

  test('misconfigured host: daemon.json and dockerd flags both read, wrong modes and owners', async () => {
    const r = await bench(
      'misconfigured',
      {
        owner: 'alice',
        modes: { 'etc/docker': '777', 'etc/docker/daemon.json': '666', 'etc/docker/certs.d/registry.internal:5000/ca.crt': '644', 'etc/docker/tls/server-key.pem': '644', 'lib/systemd/system/docker.service': '664' },
      },
      { containers: true, socket: 'run/docker.sock' },
    );
    const warn = r.results.filter((x) => x.level === 'WARN').map((x) => x.id);
    // daemon.json
    expect(warn).toEqual(expect.arrayContaining(['2.2', '2.3', '2.5', '2.6', '2.7', '2.11', '2.17', '2.18']));
    // flags: --iptables=false is only on the command line
    expect(warn).toEqual(expect.arrayContaining(['2.4', '2.16']));
    // files: owner alice, modes too open, the socket 666
    expect(warn).toEqual(expect.arrayContaining(['3.1', '3.2', '3.5', '3.6', '3.7', '3.8', '3.9', '3.14', '3.15', '3.16', '3.17', '3.18']));
    // no audit rules (a commented rule does not count), no separate partition, swarm on
    expect(warn).toEqual(expect.arrayContaining(['1.1.1', '1.1.3', '1.1.5', '5.1']));
    expect(r.results.find((x) => x.id === '2.7')?.evidence.join(' ')).toContain('tlsverify');
    await golden('misconfigured', r);
  });

  test('containers: one result per check, the offending containers as evidence', async () => {
    const r = await bench('compliant', {}, { containers: true });
    const byId = Object.fromEntries(r.results.map((x) => [x.id, x]));
    for (const id of ['4.1', '4.6', '5.2', '5.4', '5.5', '5.6', '5.8', '5.10', '5.11', '5.12', '5.13', '5.14', '5.15', '5.16', '5.17', '5.20', '5.21', '5.22', '5.25', '5.26', '5.27', '5.29', '5.31', '5.32']) {
      expect(byId[id]?.level, id).toBe('WARN');
      expect(byId[id]?.evidence.length, id).toBe(1);
      expect(byId[id]?.evidence[0], id).toMatch(/^legacy-admin: /);
    }
    expect(byId['5.4']?.evidence[0]).toContain('SYS_ADMIN');
    expect(byId['5.4']?.evidence[0]).not.toContain('NET_BIND_SERVICE');
    expect(byId['5.32']?.evidence[0]).toContain('docker.sock');
    expect(byId['5.9']?.level).toBe('INFO'); // ports published: review
    expect(byId['5.18']?.level).toBe('INFO');
    expect(byId['5.3']?.level).toBe('NOTE'); // no SELinux on this host
    await golden('compliant-containers', r);
  });

  test('flags only (no daemon.json): the command line gives every setting', async () => {
    const r = await bench('flags-only', { modes: { 'etc/docker/ca.pem': '444', 'etc/docker/cert.pem': '444', 'etc/docker/key.pem': '400' } });
    expect(levels(r, ['2.2', '2.3', '2.7', '2.8', '2.9', '2.12', '2.13', '2.14', '2.15', '2.16', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14'])).toEqual(Array(16).fill('PASS'));
    // --data-root=/srv/docker, listed in /etc/fstab (no /proc/mounts entry for it)
    expect(levels(r, ['1.1.1'])).toEqual(['WARN']);
    expect(r.results.find((x) => x.id === '2.2')?.evidence[0]).toBe('dockerd flag --icc (pid 640): "false" (expected eq false)');
    await golden('flags-only', r);
  });

  test('malformed daemon.json: ERROR with the parse message, the other checks go on', async () => {
    const r = await bench('malformed', { modes: { 'etc/docker/daemon.json': '644' } });
    const err = r.results.filter((x) => x.level === 'ERROR');
    expect(err.map((x) => x.id)).toEqual(expect.arrayContaining(['2.2', '2.3', '2.18']));
    expect(err[0]?.evidence[0]).toMatch(/\/etc\/docker\/daemon\.json is not valid JSON: /);
    expect(levels(r, ['3.17', '3.18'])).toEqual(['PASS', 'PASS']);
    expect(r.summary.ERROR).toBe(err.length);
    await golden('malformed', r);
  });

  test('--config-file on the command line: that file, not /etc/docker/daemon.json', async () => {
    const r = await bench('config-file-flag');
    expect(r.results.find((x) => x.id === '2.2')).toMatchObject({ level: 'PASS', evidence: ['/opt/docker/daemon.json: icc: false (expected eq false)'] });
    expect(levels(r, ['2.3'])).toEqual(['WARN']);
  });

  test('this machine (--root /): no ERROR', async () => {
    const r = await runBenchmark(await loadBenchmark('cis-docker-1.6.0'), { root: '/' });
    expect(r.results.filter((x) => x.level === 'ERROR')).toEqual([]);
  });
});
