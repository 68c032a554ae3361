import type { ImageAnalysis } from '../../engine/scan.js';
import type { OciImageConfig } from '../../image/types.js';
import type { CheckLevel, CheckResult, Profile } from '../types.js';
import { PASSWD_ANALYZER, SECRETS_ANALYZER, SETID_ANALYZER, type SecretsValue } from './analyzers.js';
import { scanEnv } from './secrets.js';

/**
 * NeuVector's image checks (ids I.4.x after CIS Docker Benchmark section 4). Titles follow
 * NeuVector; profiles follow the CIS document (4.8 is Level 2 there and in NeuVector). NeuVector
 * leaves these checks untagged; the tags are Vigil's mapping: NIST 800-53 AC-6 (least privilege)
 * for the user and set-id checks, IA-5(7) (no embedded static authenticators) and the PCI / HIPAA
 * / GDPR credential-protection requirements for secrets.
 */
interface CheckDef {
  id: string;
  title: string;
  profile: Profile;
  remediation: string;
  tags: string[];
}

export const IMAGE_CHECKS: readonly CheckDef[] = [
  {
    id: 'I.4.1',
    title: 'Ensure a user for the container has been created',
    profile: 'Level 1',
    remediation: 'Create an unprivileged user in the image (useradd or adduser) and switch to it with a USER instruction, by name or by a non-zero uid, before the entrypoint runs.',
    tags: ['HIPAA', 'PCI', 'GDPR', 'NIST'],
  },
  {
    id: 'I.4.6',
    title: 'Ensure that HEALTHCHECK instructions have been added to container images',
    profile: 'Level 1',
    remediation: 'Add a HEALTHCHECK instruction that probes the service (for example an HTTP request to a health endpoint) so the runtime can detect and restart an unhealthy container.',
    tags: ['NIST'],
  },
  {
    id: 'I.4.8',
    title: 'Ensure setuid and setgid permissions are removed',
    profile: 'Level 2',
    remediation: 'Remove the setuid/setgid bits from files that do not need them (chmod u-s,g-s), or delete those files; a catch-all in the last build step is `find / -xdev -perm /6000 -type f -exec chmod a-s {} +`. Keep only set-id programs installed by the distribution that the container really uses.',
    tags: ['HIPAA', 'PCI', 'NIST'],
  },
  {
    id: 'I.4.9',
    title: 'Ensure that COPY is used instead of ADD in Dockerfiles',
    profile: 'Level 1',
    remediation: 'Use COPY for local files. ADD also fetches URLs and unpacks archives, which can bring unreviewed content into the image; download with a checksum-verified step and extract explicitly if needed.',
    tags: ['NIST'],
  },
  {
    id: 'I.4.10',
    title: 'Ensure secrets are not stored in container images',
    profile: 'Level 1',
    remediation: 'Remove credentials and private keys from the image and from its ENV; pass them at run time (orchestrator secrets, mounted files, a secrets manager) or use build secrets (RUN --mount=type=secret) that never land in a layer. Rotate every secret that was published in an image.',
    tags: ['HIPAA', 'PCI', 'GDPR', 'NIST'],
  },
];

function result(def: CheckDef, level: CheckLevel, evidence: string[]): CheckResult {
  return { id: def.id, title: def.title, level, type: 'image', profile: def.profile, scored: true, automated: true, evidence, remediation: def.remediation, tags: [...def.tags] };
}

function def(id: string): CheckDef {
  return IMAGE_CHECKS.find((c) => c.id === id)!;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** I.4.1: the config's User; a name is looked up in the image's /etc/passwd (a uid-0 alias is root too). */
export function checkUser(config: OciImageConfig, analysis?: ImageAnalysis): CheckResult {
  const raw = typeof config.config?.User === 'string' ? config.config.User : '';
  const user = raw.trim();
  const name = user.split(':')[0]!;
  if (name === '' || name === 'root' || /^0+$/.test(name)) {
    return result(def('I.4.1'), 'WARN', [user === '' ? 'config User is empty: the container runs as root' : `config User is ${JSON.stringify(user)} (root)`]);
  }
  const passwd = analysis?.files.get('/etc/passwd')?.values[PASSWD_ANALYZER] as Record<string, number> | undefined;
  if (!/^\d+$/.test(name) && passwd?.[name] === 0) {
    return result(def('I.4.1'), 'WARN', [`config User is ${JSON.stringify(user)}, which has uid 0 in /etc/passwd (root)`]);
  }
  return result(def('I.4.1'), 'PASS', [`config User is ${JSON.stringify(user)}`]);
}

/** I.4.6: a Healthcheck in the config whose test is not NONE. */
export function checkHealthcheck(config: OciImageConfig): CheckResult {
  const hc = config.config?.Healthcheck;
  const test = isRecord(hc) && Array.isArray(hc.Test) ? (hc.Test as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  if (!test.length) return result(def('I.4.6'), 'WARN', ['no HEALTHCHECK in the image config']);
  if (test[0] === 'NONE') return result(def('I.4.6'), 'WARN', ['HEALTHCHECK NONE: health checking is disabled']);
  const cmd = test[0] === 'CMD' || test[0] === 'CMD-SHELL' ? test.slice(1).join(' ') : test.join(' ');
  return result(def('I.4.6'), 'PASS', [`HEALTHCHECK ${test[0] === 'CMD-SHELL' ? 'CMD-SHELL' : 'CMD'} ${cmd}`.slice(0, 300)]);
}

function modeString(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * I.4.8. NeuVector lists every set-id file of the image as a WARN, so a stock Debian base
 * (passwd, su, mount, chsh, unix_chkpwd…) can never pass. Vigil accepts the set-id programs an OS
 * package installed — the file is in a dpkg/apk/rpm file list and was not rewritten after that list
 * (its layer is not above the list's layer, so a later `chmod u+s /usr/bin/find` is not excused) —
 * and warns for the others. Accepted files are still listed, marked as such. Directories are not
 * files and are not reported (Debian's /var/local and /var/mail are setgid staff/mail).
 */
export function checkSetId(analysis: ImageAnalysis): CheckResult {
  const warn: string[] = [];
  const accepted: string[] = [];
  const paths = [...analysis.files.values()].filter((r) => r.values[SETID_ANALYZER] === true).sort((a, b) => a.path.localeCompare(b.path));
  for (const r of paths) {
    const m = r.meta;
    const bits = [m.mode & 0o4000 ? 'setuid' : '', m.mode & 0o2000 ? 'setgid' : ''].filter(Boolean).join('+');
    const owner = m.uname || (m.uid === 0 ? 'root' : String(m.uid));
    const group = m.gname || (m.gid === 0 ? 'root' : String(m.gid));
    const who = m.mode & 0o2000 ? `owner ${owner}, group ${group}` : `owner ${owner}`;
    const line = `${r.path} (mode ${modeString(m.mode)}, ${who})`;
    const own = analysis.ownerOf(r.path);
    if (own && r.layer <= own.layer) accepted.push(`${line}: ${bits}, accepted: installed by ${own.owner.type} package ${own.owner.name}`);
    else if (own) warn.push(`${line}: ${bits}, changed after ${own.owner.type} package ${own.owner.name} installed it (layer ${r.layer + 1})`);
    else warn.push(`${line}: ${bits}, not installed by an OS package (layer ${r.layer + 1})`);
  }
  if (warn.length) return result(def('I.4.8'), 'WARN', [...warn, ...accepted]);
  return result(def('I.4.8'), 'PASS', accepted.length ? accepted : ['no setuid or setgid files']);
}

/** Docker's classic builder and BuildKit history forms, reduced to the instruction. */
function instructionOf(createdBy: string): string {
  let cmd = createdBy.trim();
  const sh = cmd.indexOf('/bin/sh -c ');
  if (sh !== -1) {
    cmd = cmd.slice(sh + 11).trim();
    if (!cmd.startsWith('#(nop)')) return `RUN ${cmd}`;
    cmd = cmd.slice(6).trim();
  }
  return cmd;
}

const URL_PASSWORD_RE = /(\b[a-z][a-z0-9+.-]{1,30}:\/\/[^\s:/@"'<>]{1,256}:)[^\s@/"'<>]{1,256}@/gi;

/**
 * I.4.9. An ADD in the history is a WARN with its line. The one ADD not counted is the base image's
 * root filesystem: the first layer-creating entry when it ADDs into "/" (`ADD file:<digest> in /`
 * from the classic builder, `ADD rootfs.tar.xz /` from BuildKit). That is how every `FROM scratch`
 * base is bootstrapped and the image's author does not write it. NeuVector skips every
 * `ADD file:…` instead, which also hides an application's own local-archive ADDs; Vigil does not.
 */
export function checkAdd(config: OciImageConfig): CheckResult {
  const history = Array.isArray(config.history) ? config.history : [];
  const warn: string[] = [];
  const notes: string[] = [];
  let layer = 0;
  let firstLayer = true;
  for (const h of history) {
    if (!isRecord(h)) continue;
    const createdBy = typeof h.created_by === 'string' ? h.created_by : '';
    const makesLayer = h.empty_layer !== true;
    const ins = instructionOf(createdBy);
    const isAdd = !ins.startsWith('RUN ') && /(?:^|;\s*)ADD\s/.test(ins);
    const where = makesLayer ? `layer ${layer + 1}` : 'config step';
    if (isAdd) {
      const line = ins.replace(URL_PASSWORD_RE, '$1…@').slice(0, 300);
      const rootfs = makesLayer && firstLayer && /^ADD\s+(?:--\S+\s+)*\S+\s+(?:in\s+)?\/(?:\s|$)/.test(ins);
      if (rootfs) notes.push(`${where}: ${line} — the base image's root filesystem, not counted`);
      else warn.push(`${where}: ${line}`);
    }
    if (makesLayer) {
      layer++;
      firstLayer = false;
    }
  }
  if (warn.length) return result(def('I.4.9'), 'WARN', [...warn, ...notes]);
  return result(def('I.4.9'), 'PASS', notes.length ? notes : [history.length ? 'no ADD instruction in the history' : 'the image has no history']);
}

/** I.4.10: secrets in the config's Env and in the files the secrets analyzer read. */
export function checkSecrets(config: OciImageConfig, analysis: ImageAnalysis): CheckResult {
  const warn: string[] = [];
  const notes: string[] = [];
  const env = Array.isArray(config.config?.Env) ? config.config.Env.filter((e): e is string => typeof e === 'string') : [];
  for (const f of scanEnv(env)) warn.push(`${f.where}: ${f.kind} (${f.masked})`);
  const files = [...analysis.files.values()].filter((r) => r.values[SECRETS_ANALYZER] !== undefined).sort((a, b) => a.path.localeCompare(b.path));
  for (const r of files) {
    const v = r.values[SECRETS_ANALYZER] as SecretsValue;
    if ('notRead' in v) {
      notes.push(v.notRead === 'too-large' ? `${r.path}: not scanned, ${r.meta.size} bytes is over the 1 MiB limit` : `${r.path}: not scanned, binary content`);
      continue;
    }
    const own = analysis.ownerOf(r.path);
    for (const f of v.findings) {
      const what = `${r.path} ${f.where}: ${f.kind}${f.name ? ` in ${f.name}` : ''} (${f.masked})`;
      // A key an OS package ships (and that was not changed since) is the distribution's, published with it.
      if (own && r.layer <= own.layer) notes.push(`${what}, accepted: shipped by ${own.owner.type} package ${own.owner.name}`);
      else warn.push(what);
    }
  }
  if (warn.length) return result(def('I.4.10'), 'WARN', [...warn, ...notes]);
  return result(def('I.4.10'), 'PASS', notes.length ? notes : ['no secrets found in the environment or in key, credential and configuration files']);
}
