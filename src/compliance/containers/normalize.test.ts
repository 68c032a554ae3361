import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { hasNoNewPrivileges, loadInspectFile, normalizeCapability, normalizeInspect, normalizeSecurityOpt, seccompProfile } from './normalize.js';

/** Trimmed from a real `docker inspect` (Docker 24) of `docker run -d --privileged -P --restart always …`. */
const DOCKER_DOC = {
  Id: 'f3c1a0e7d0b2c4a8e1b5f7d9a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1',
  Name: '/web',
  Image: 'sha256:2e4b8ed1eec446049008dddbe2242fd4ba03c189eaf7da8ce4af78454f79c98b',
  State: { Status: 'running', Running: true, Pid: 4242 },
  AppArmorProfile: 'unconfined',
  HostConfig: {
    Binds: ['/var/run/docker.sock:/var/run/docker.sock'],
    NetworkMode: 'default',
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
    CapAdd: ['SYS_ADMIN'],
    CapDrop: null,
    CgroupnsMode: 'private',
    IpcMode: 'private',
    PidMode: '',
    Privileged: true,
    ReadonlyRootfs: false,
    SecurityOpt: ['label=disable', 'seccomp:unconfined', 'no-new-privileges:true'],
    UTSMode: '',
    UsernsMode: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CpuPeriod: 0,
    CpuQuota: 0,
    Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }],
    PidsLimit: null,
  },
  Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', Mode: '', RW: true, Propagation: 'rprivate' }],
  Config: {
    User: '',
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Image: 'nginx:1.25',
    Labels: { maintainer: 'NGINX Docker Maintainers' },
    Healthcheck: { Test: ['NONE'] },
  },
  NetworkSettings: {
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }], '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }], '9000/tcp': null },
  },
};

describe('normalizeInspect', () => {
  it('reads every field the CIS 5.x checks use from a Docker document', () => {
    const c = normalizeInspect(DOCKER_DOC);
    expect(c).toMatchObject({
      id: DOCKER_DOC.Id,
      name: 'web',
      image: 'nginx:1.25',
      pid: 4242,
      running: true,
      user: '',
      privileged: true,
      capAdd: ['SYS_ADMIN'],
      capDrop: [],
      networkMode: 'default',
      pidMode: '',
      ipcMode: 'private',
      utsMode: '',
      usernsMode: '',
      cgroupnsMode: 'private',
      readonlyRootfs: false,
      securityOpt: ['label=disable', 'seccomp=unconfined', 'no-new-privileges'],
      appArmorProfile: '',
      memory: 0,
      nanoCpus: 0,
      cpuShares: 0,
      pidsLimit: 0,
      restartPolicy: { name: 'always', maximumRetryCount: 0 },
      mounts: [{ type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', mode: '', rw: true, propagation: 'rprivate' }],
      devices: ['/dev/fuse:/dev/fuse:rwm'],
      healthcheck: false,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      labels: { maintainer: 'NGINX Docker Maintainers' },
    });
    expect(c.raw).toBe(DOCKER_DOC);
    expect(hasNoNewPrivileges(c)).toBe(true);
    expect(seccompProfile(c)).toBe('unconfined');
    // PortBindings plus what -P published (NetworkSettings.Ports), de-duplicated; exposed-only ports left out.
    expect(c.portBindings).toEqual([
      { containerPort: '80/tcp', hostIp: '', hostPort: '8080' },
      { containerPort: '80/tcp', hostIp: '0.0.0.0', hostPort: '8080' },
      { containerPort: '80/tcp', hostIp: '::', hostPort: '8080' },
      { containerPort: '443/tcp', hostIp: '0.0.0.0', hostPort: '32768' },
    ]);
  });

  it('normalises Podman spellings: CAP_ prefixes, private namespaces, PidsLimit, restart ""', () => {
    const c = normalizeInspect({
      Id: 'abc',
      Name: 'p1',
      ImageName: 'localhost/app:latest',
      State: { Running: false, Pid: 0, Status: 'exited' },
      HostConfig: {
        CapAdd: ['CAP_NET_ADMIN', 'cap_sys_time', 'NET_ADMIN'],
        CapDrop: ['CAP_MKNOD'],
        PidMode: 'private',
        UTSMode: 'private',
        UsernsMode: 'private',
        IpcMode: 'shareable',
        NetworkMode: 'slirp4netns',
        CgroupnsMode: null,
        PidsLimit: -1,
        RestartPolicy: { Name: '', MaximumRetryCount: 0 },
        CpuQuota: 150000,
        CpuPeriod: 100000,
        SecurityOpt: ['no-new-privileges', 'apparmor=my-profile'],
      },
      Config: { Healthcheck: { Test: ['CMD-SHELL', 'curl -f localhost'] }, Labels: null, Env: null },
    });
    expect(c.capAdd).toEqual(['NET_ADMIN', 'SYS_TIME']);
    expect(c.capDrop).toEqual(['MKNOD']);
    expect([c.pidMode, c.utsMode, c.usernsMode, c.ipcMode, c.networkMode]).toEqual(['', '', '', 'shareable', 'slirp4netns']);
    expect(c.cgroupnsMode).toBeUndefined();
    expect(c.pidsLimit).toBe(0);
    expect(c.restartPolicy).toEqual({ name: 'no', maximumRetryCount: 0 });
    expect(c.nanoCpus).toBe(1_500_000_000);
    expect(c.image).toBe('localhost/app:latest');
    expect(c.running).toBe(false);
    expect(c.pid).toBe(0);
    expect(c.healthcheck).toBe(true);
    expect(c.appArmorProfile).toBe('my-profile');
    expect(c.labels).toEqual({});
    expect(c.env).toEqual([]);
  });

  it('falls back to HostConfig.Binds when Mounts is absent', () => {
    const c = normalizeInspect({ Id: 'x', HostConfig: { Binds: ['/:/host:ro,rslave', 'data:/data'] } });
    expect(c.mounts).toEqual([
      { type: 'bind', source: '/', destination: '/host', mode: 'ro,rslave', rw: false, propagation: 'rslave' },
      { type: 'volume', source: 'data', destination: '/data', mode: '', rw: true, propagation: '' },
    ]);
  });

  it('gives Docker defaults for an almost empty document and rejects non-objects', () => {
    const c = normalizeInspect({ Id: 'only-id' });
    expect(c).toMatchObject({ id: 'only-id', name: '', privileged: false, capAdd: [], mounts: [], portBindings: [], pidsLimit: 0, memory: 0, running: false, restartPolicy: { name: 'no', maximumRetryCount: 0 } });
    expect(() => normalizeInspect([])).toThrow(/must be a JSON object, got an array/);
    expect(() => normalizeInspect(null)).toThrow(VigilError);
  });

  it('spells capabilities and security options one way', () => {
    expect(normalizeCapability(' cap_sys_admin ')).toBe('SYS_ADMIN');
    expect(normalizeCapability('ALL')).toBe('ALL');
    expect(normalizeSecurityOpt('no-new-privileges=true')).toBe('no-new-privileges');
    expect(normalizeSecurityOpt('no-new-privileges:false')).toBe('no-new-privileges=false');
    expect(normalizeSecurityOpt('seccomp:/etc/p.json')).toBe('seccomp=/etc/p.json');
    expect(normalizeSecurityOpt('label:type:svirt_t')).toBe('label=type:svirt_t');
  });
});

describe('loadInspectFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-inspect-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string): Promise<string> => {
    const f = path.join(dir, name);
    await writeFile(f, text);
    return f;
  };

  it('reads an array or a single object', async () => {
    expect((await loadInspectFile(await write('arr.json', JSON.stringify([DOCKER_DOC, DOCKER_DOC])))).map((c) => c.name)).toEqual(['web', 'web']);
    expect((await loadInspectFile(await write('one.json', JSON.stringify(DOCKER_DOC))))[0]!.privileged).toBe(true);
    expect(await loadInspectFile(await write('empty-arr.json', '[]'))).toEqual([]);
  });

  it('malformed, truncated, empty or wrong documents are bad-inspect with the reason', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['trunc.json', JSON.stringify([DOCKER_DOC]).slice(0, 200), /malformed JSON: .*(Unterminated|Unexpected end|Expected)/],
      ['empty.json', '', /malformed JSON: Unexpected end of JSON input/],
      ['garbage.json', 'not json', /malformed JSON: Unexpected token/],
      ['scalar.json', '42', /not a JSON object/],
      ['image.json', JSON.stringify([{ Id: 'sha256:1', RootFS: { Type: 'layers' }, Config: {} }]), /image\.json\[0\]: not a container inspect document.*image inspect/],
      ['mixed.json', JSON.stringify([DOCKER_DOC, 'x']), /mixed\.json\[1\]: not a JSON object/],
    ];
    for (const [name, text, re] of cases) {
      const f = await write(name, text);
      const err = await loadInspectFile(f).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(VigilError);
      expect((err as VigilError).code, name).toBe('bad-inspect');
      expect((err as VigilError).message, name).toMatch(re);
    }
    await expect(loadInspectFile(path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'bad-inspect', message: expect.stringMatching(/cannot read inspect file .*ENOENT/) });
  });
});
