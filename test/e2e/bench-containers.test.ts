/**
 * `vigil bench container` and `vigil bench docker` against real containers under rootful Podman,
 * read through its Docker-compatible API by the built CLI (`npm run build` first). One Podman
 * service for the file; each container is misconfigured in one way, so every CIS id below has
 * a known set of offenders. Other containers on the machine (other test files) may be listed
 * too: assertions look only at the containers this file made. Needs podman; never skipped.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerClient } from '../../src/compliance/containers/index.js';
import type { CheckResult, ComplianceReport } from '../../src/compliance/types.js';
import { assertBuilt, REPO, runVigil } from '../helpers/cli.js';
import { startPodman, type PodmanService } from '../helpers/podman.js';

/** Short name → podman run arguments. `plain` is the baseline: only Podman's defaults. */
const SETUPS: Record<string, (pm: PodmanService) => string[]> = {
  plain: () => [],
  priv: () => ['--privileged'],
  hostnet: () => ['--network', 'host'],
  sock: (pm) => ['-v', `${pm.socket}:/var/run/docker.sock`],
  limited: () => ['--read-only', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '100'],
  netadmin: () => ['--cap-add', 'NET_ADMIN'],
  nnp: () => ['--security-opt', 'no-new-privileges'],
  restart: () => ['--restart', 'always'],
};
const ALL = Object.keys(SETUPS);
const allBut = (...xs: string[]) => ALL.filter((x) => !xs.includes(x));

/** CIS Docker 1.6.0 id (see cis-docker-1.6.0.yaml) → the containers that must be listed as offending. */
const EXPECTED: Record<string, string[]> = {
  '5.4': ['netadmin'], // added capabilities
  '5.5': ['priv'], // privileged
  '5.10': ['hostnet'], // host network namespace
  '5.11': allBut('limited'), // memory limit
  '5.12': allBut('limited'), // CPU
  '5.13': allBut('limited'), // read-only root filesystem
  '5.15': ['restart'], // restart policy: always is not on-failure:≤5
  '5.26': allBut('nnp'), // no-new-privileges
  '5.32': ['sock'], // the Docker (here Podman) socket mounted
};

let pm: PodmanService;
/** short name → full container name and id */
const made = new Map<string, { name: string; id: string }>();
let captured: unknown[] = [];
let inspectFile: string;
let badFile: string;

beforeAll(async () => {
  assertBuilt();
  pm = await startPodman();
  await Promise.all(
    ALL.map(async (k) => {
      const c = await pm.run(`bench-${k}`, SETUPS[k]!(pm));
      made.set(k, c);
    }),
  );
  const client = new DockerClient({ dockerHost: pm.dockerHost, timeoutMs: 10_000 });
  try {
    captured = await Promise.all(['priv', 'limited', 'sock'].map((k) => client.inspectContainer(made.get(k)!.id)));
  } finally {
    await client.close();
  }
  inspectFile = path.join(pm.dir, 'inspect.json');
  await writeFile(inspectFile, JSON.stringify(captured, null, 2));
  badFile = path.join(pm.dir, 'bad-inspect.json');
  await writeFile(badFile, '[{"Id": "abc", "Name": "/x", ');
}, 90_000);

afterAll(async () => {
  await pm?.stop();
});

function parse(stdout: string): ComplianceReport {
  return JSON.parse(stdout) as ComplianceReport;
}

function byId(r: ComplianceReport, id: string): CheckResult {
  const x = r.results.find((c) => c.id === id);
  if (!x) throw new Error(`no result for ${id}`);
  return x;
}

/** Which of this file's containers the result lists as offending (evidence lines `<name>: …`). */
function offenders(res: CheckResult, among: string[] = ALL): string[] {
  return among.filter((k) => res.evidence.some((e) => e.startsWith(`${made.get(k)!.name}: `))).sort();
}

function expectOffenders(report: ComplianceReport, among: string[] = ALL): void {
  for (const [id, want] of Object.entries(EXPECTED)) {
    const res = byId(report, id);
    const exp = want.filter((k) => among.includes(k)).sort();
    expect({ id, offenders: offenders(res, among) }).toEqual({ id, offenders: exp });
    expect({ id, level: res.level }).toEqual({ id, level: exp.length ? 'WARN' : 'PASS' });
  }
}

describe('vigil bench container under Podman', () => {
  it('every running container: exactly the misconfigured ones per CIS id', { timeout: 20_000 }, async () => {
    const r = await runVigil(['bench', 'container', '--docker-host', pm.dockerHost, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = parse(r.stdout);
    expect(rep.target.type).toBe('container');
    expect(rep.benchmark).toBe('cis-docker-1.6.0');
    // only the container section, and no ERROR from a live API
    expect(rep.results.every((x) => x.type === 'container')).toBe(true);
    expect(rep.results.map((x) => x.id)).toContain('5.32');
    expect(rep.results.some((x) => x.id === '5.1' || x.id.startsWith('2.'))).toBe(false);
    expect(rep.summary.ERROR).toBe(0);
    expectOffenders(rep);
  });

  it('named containers only; PASS evidence names them', { timeout: 20_000 }, async () => {
    const pick = ['priv', 'nnp'];
    const r = await runVigil(['bench', 'container', ...pick.map((k) => made.get(k)!.name), '--docker-host', pm.dockerHost, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = parse(r.stdout);
    expect(rep.target).toMatchObject({ type: 'container', name: pick.map((k) => made.get(k)!.name).join(',') });
    expectOffenders(rep, pick);
    const pass = byId(rep, '5.10');
    expect(pass.level).toBe('PASS');
    expect(pass.evidence.join('\n')).toContain(made.get('priv')!.name);
    // nothing else was checked
    const others = allBut(...pick).map((k) => made.get(k)!.name);
    expect(rep.results.flatMap((x) => x.evidence).some((e) => others.some((o) => e.includes(o)))).toBe(false);
  });

  it('an unknown container id: exit 2 with the API refusal', { timeout: 20_000 }, async () => {
    const r = await runVigil(['bench', 'container', 'vigil-no-such-container', '--docker-host', pm.dockerHost, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no such container|404/i);
  });

  it('--inspect FILE captured from the API gives the same outcomes offline', { timeout: 20_000 }, async () => {
    const among = ['priv', 'limited', 'sock'];
    const r = await runVigil(['bench', 'container', '--inspect', inspectFile, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = parse(r.stdout);
    expect(rep.target).toMatchObject({ type: 'container', name: inspectFile });
    expect(rep.summary.ERROR).toBe(0);
    expectOffenders(rep, among);
    // one container picked out of the file by name
    const one = await runVigil(['bench', 'container', made.get('sock')!.name, '--inspect', inspectFile, '--format', 'json']);
    expect(one.code, one.stderr).toBe(0);
    expectOffenders(parse(one.stdout), ['sock']);
  });

  it('a malformed inspect file: the container checks are ERROR with the parse message, the run completes', { timeout: 20_000 }, async () => {
    const r = await runVigil(['bench', 'container', '--inspect', badFile, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = parse(r.stdout);
    const automated = rep.results.filter((x) => x.level !== 'MANUAL');
    expect(automated.length).toBeGreaterThan(20);
    for (const x of automated) {
      expect(x.level).toBe('ERROR');
      expect(x.evidence.join('\n')).toMatch(/bad-inspect\.json: malformed JSON/);
    }
    // --fail-on error turns that into exit 1 for pipelines
    const strict = await runVigil(['bench', 'container', '--inspect', badFile, '--format', 'json', '--fail-on', 'error']);
    expect(strict.code).toBe(1);
  });

  it('bench docker with a malformed inspect file: container checks ERROR, host and daemon checks go on', { timeout: 20_000 }, async () => {
    const root = path.join(REPO, 'src/compliance/engine/__fixtures__/docker-hosts/compliant');
    const r = await runVigil(['bench', 'docker', '--root', root, '--inspect', badFile, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = parse(r.stdout);
    expect(byId(rep, '5.5').level).toBe('ERROR');
    const hostSide = rep.results.filter((x) => x.type === 'host' || x.type === 'daemon');
    expect(hostSide.length).toBeGreaterThan(20);
    expect(hostSide.filter((x) => x.level === 'ERROR')).toEqual([]);
    expect(hostSide.some((x) => x.level === 'PASS')).toBe(true);
  });

  it('a missing inspect file is a usage error (exit 2)', async () => {
    const r = await runVigil(['bench', 'container', '--inspect', path.join(pm.dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read inspect file/);
  });

  it('bench docker --root / --docker-host: the same container outcomes inside the full benchmark', { timeout: 30_000 }, async () => {
    const r = await runVigil(['bench', 'docker', '--root', '/', '--docker-host', pm.dockerHost, '--format', 'json'], { timeoutMs: 25_000 });
    expect(r.code, r.stderr).toBe(0);
    const rep = parse(r.stdout);
    expect(rep.target.type).toBe('host');
    expect(rep.results.some((x) => x.type === 'daemon')).toBe(true);
    expect(rep.results.filter((x) => x.type === 'container' && x.level === 'ERROR')).toEqual([]);
    expectOffenders(rep);
  });
});
