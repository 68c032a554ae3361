/**
 * Secret detection for I.4.10, in the image config's Env and in a bounded set of files.
 *
 * What is read is decided on the path alone (`isSecretCandidate`), so the single pass over the
 * layers stays cheap: files whose names say "keys or credentials" anywhere outside system and
 * test directories, and configuration files (json/yaml/conf/ini/properties/toml…) outside
 * system and third-party library directories. Files over 1 MiB and binary files are not scanned.
 *
 * Findings never carry the secret: only its kind, where it is, and a mask (a few leading
 * characters and "…").
 */

export interface SecretFinding {
  /** "AWS access key id", "RSA private key", "database URL with a password" … */
  kind: string;
  /** "line 3", or the variable name for the environment. */
  where: string;
  /** The variable or key the value was assigned to, when there is one. */
  name?: string;
  /** Leading characters of the value and "…" (never the whole value). */
  masked: string;
}

export const SECRET_FILE_MAX = 1024 * 1024;
const MAX_LINE = 64 * 1024;

// --- which files are read -------------------------------------------------------------------

/** System trees: never scanned (documentation, binaries, package databases, CA bundles). */
const SKIP_PREFIXES = [
  '/proc/', '/sys/', '/dev/', '/boot/', '/usr/share/', '/usr/include/', '/usr/src/', '/usr/lib/', '/usr/lib32/', '/usr/lib64/',
  '/usr/libexec/', '/usr/bin/', '/usr/sbin/', '/lib/', '/lib32/', '/lib64/', '/bin/', '/sbin/', '/var/lib/dpkg/', '/var/lib/apt/',
  '/var/lib/rpm/', '/var/lib/dnf/', '/var/lib/yum/', '/lib/apk/', '/var/cache/', '/var/log/', '/etc/ssl/certs/', '/etc/pki/ca-trust/',
  '/etc/ca-certificates/', '/usr/local/share/',
];
/** Test and documentation directories: their keys are fixtures (e.g. Python's and npm packages' test certificates). */
const SKIP_SEGMENTS = new Set(['test', 'tests', 'testdata', 'test-data', 'testing', '__tests__', 'fixtures', '__fixtures__', 'example', 'examples', 'sample', 'samples', 'doc', 'docs', 'man', 'demo']);
/** Third-party library trees: their config files are not the image's; key-named files there are still read. */
const LIB_SEGMENTS = new Set(['node_modules', 'site-packages', 'dist-packages', 'vendor', 'gems', 'bower_components', '.git', '.cache', '.npm', '.m2', '.gradle', '.cargo', '__pycache__']);

const KEY_NAMES = new Set(['credentials', '.netrc', '_netrc', '.pgpass', '.git-credentials', '.npmrc', '.pypirc', '.dockercfg', '.htpasswd', '.my.cnf', '.s3cfg', '.boto']);
const KEY_NAME_RE = /^(?:\.env(?:\.[\w-]+)?|[\w.-]+\.env|id_(?:rsa|dsa|ecdsa|ed25519)|[\w.-]+\.(?:pem|key|ppk)|secrets?\.[\w]+)$/i;
const ENV_TEMPLATE_RE = /\.(?:example|sample|template|dist|defaults?)$/i;
const CONFIG_EXT_RE = /\.(?:json|ya?ml|conf|cfg|cnf|ini|properties|toml|xml|tfvars|tfstate)$/i;

/** Cheap test on the path: is this file worth reading for secrets? */
export function isSecretCandidate(path: string): boolean {
  for (const p of SKIP_PREFIXES) if (path.startsWith(p)) return false;
  const segs = path.split('/');
  const base = segs[segs.length - 1] ?? '';
  let inLib = false;
  for (let i = 1; i < segs.length - 1; i++) {
    const s = segs[i]!;
    if (SKIP_SEGMENTS.has(s)) return false;
    if (LIB_SEGMENTS.has(s)) inLib = true;
  }
  if (KEY_NAMES.has(base) || (KEY_NAME_RE.test(base) && !ENV_TEMPLATE_RE.test(base))) return true;
  if (base === 'config.json' && segs[segs.length - 2] === '.docker') return true;
  return !inLib && CONFIG_EXT_RE.test(base);
}

// --- detectors ------------------------------------------------------------------------------

/** Documented example values (AWS's documentation keys, jwt.io's sample token). */
const ALLOWED_VALUES = new Set([
  'AKIAIOSFODNN7EXAMPLE',
  'AKIAI44QH8DHBEXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
]);

/** Values that are placeholders or references, not secrets. */
const PLACEHOLDER_RE =
  /^(?:x{3,}|\*+|\.{3,}|-+|changeme|change_?me|changeit|password|passwd|secret|token|example|sample|dummy|test|testing|none|null|nil|undefined|true|false|yes|no|on|off|todo|tbd|redacted|masked|empty|required|optional|your[_-].*|my[_-]?(?:password|secret|token).*|<.*>|\[.*\]|\(.*\)|\$.*|%\(.*|%[A-Z_]+%|\{\{.*|\{.*\}|.*EXAMPLE.*)$/i;

function isPlaceholder(v: string): boolean {
  return ALLOWED_VALUES.has(v) || PLACEHOLDER_RE.test(v);
}

/** The leading characters of a value and "…": 4 for long values, fewer for short ones. */
export function mask(value: string): string {
  const n = value.length >= 16 ? 4 : value.length >= 10 ? 2 : 0;
  return value.slice(0, n) + '…';
}

interface ValueRule {
  kind: string;
  re: RegExp;
}

/** Self-identifying tokens: recognised by their shape wherever they appear. */
const VALUE_RULES: ValueRule[] = [
  { kind: 'AWS access key id', re: /\b((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[0-9A-Z]{16})\b/g },
  { kind: 'GitHub token', re: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255})\b/g },
  { kind: 'GitHub fine-grained token', re: /\b(github_pat_[A-Za-z0-9_]{60,255})\b/g },
  { kind: 'GitLab token', re: /\b(glpat-[A-Za-z0-9_-]{20,64})\b/g },
  { kind: 'Slack token', re: /\b(xox[abposr]-[A-Za-z0-9-]{10,255})\b/g },
  { kind: 'Slack webhook URL', re: /(https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9_/]{20,255})/g },
  { kind: 'Stripe secret key', re: /\b((?:sk|rk)_live_[A-Za-z0-9]{20,255})\b/g },
  { kind: 'Google API key', re: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g },
  { kind: 'npm token', re: /\b(npm_[A-Za-z0-9]{36})\b/g },
  { kind: 'SendGrid API key', re: /\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g },
  { kind: 'JSON Web Token', re: /\b(eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{10,4096})/g },
];

const PEM_RE = /-----BEGIN ((?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP|SSH2) )?PRIVATE KEY( BLOCK)?-----/;
const PUTTY_RE = /^PuTTY-User-Key-File-\d+:/;

const DB_SCHEMES = new Set(['postgres', 'postgresql', 'mysql', 'mariadb', 'mongodb', 'mongodb+srv', 'redis', 'rediss', 'amqp', 'amqps', 'mssql', 'sqlserver', 'oracle', 'cockroachdb', 'clickhouse']);
const URL_CRED_RE = /\b([a-z][a-z0-9+.-]{1,30}):\/\/([^\s:/@"'<>]{0,256}):([^\s@/"'<>]{1,256})@/gi;

/** `name = value`, `name: value`, `"name": "value"`. */
const ASSIGN_RE = /([A-Za-z_][A-Za-z0-9_.-]{0,100})["']?\s*[:=]\s*["']?([^\s"'`,;]{1,512})/g;
const AWS_SECRET_NAME_RE = /(?:^|[_.-])(?:aws_?)?secret_?access_?key$|^aws_?secret_?key$/i;
const PASSWORD_NAME_RE = /(?:password|passwd|passphrase|(?:^|[_.-])pwd)$/i;
const SECRET_NAME_RE = /(?:secret|token|api_?key|apikey|access_?key|private_?key|auth_?key|client_?secret|credentials?)$/i;
/** Names that hold a reference to a secret, or a setting about it, not the secret itself. */
const NOT_SECRET_NAME_RE = /(?:file|path|dir|length|len|policy|min|max|hint|prompt|type|mode|field|param|header|name|enabled|required|regex|pattern|url|uri|endpoint|id|ttl|expiry|expires|timeout|command|cmd|env|algorithm|alg|format|location|store|provider)$/i;

type NamedKind = { kind: string; min: number };

function classifyName(name: string): NamedKind | undefined {
  const n = name.replace(/-/g, '_');
  if (AWS_SECRET_NAME_RE.test(n)) return { kind: 'AWS secret access key', min: 40 };
  if (NOT_SECRET_NAME_RE.test(n)) return undefined;
  if (PASSWORD_NAME_RE.test(n)) return { kind: 'password', min: 6 };
  if (SECRET_NAME_RE.test(n)) return { kind: 'secret or token', min: 12 };
  return undefined;
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let e = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    e -= p * Math.log2(p);
  }
  return e;
}

function namedValueIsSecret(kind: NamedKind, value: string): boolean {
  if (value.length < kind.min || isPlaceholder(value)) return false;
  if (/^(?:\/|\.\/|~\/|[a-z]+:\/\/)/i.test(value)) return false; // a path or a URL (URLs have their own rule)
  if (kind.kind === 'AWS secret access key') return /^[A-Za-z0-9/+=]{40}$/.test(value);
  if (kind.kind === 'secret or token') return entropy(value) >= 3 && /\d/.test(value) && /[A-Za-z]/.test(value);
  // A password: anything but digits only or a run of a few repeated characters.
  return !/^\d+$/.test(value) && new Set(value).size >= 4;
}

/** Every secret in one line of text (a line of a file, or one `NAME=value` of the environment). */
function scanLine(line: string, where: string, out: SecretFinding[]): void {
  const seen = new Set<string>();
  const add = (f: SecretFinding, value: string): void => {
    if (seen.has(value)) return;
    seen.add(value);
    out.push(f);
  };
  const pem = PEM_RE.exec(line);
  if (pem) {
    const type = pem[1]?.trim();
    add({ kind: type ? `${type} private key` : 'private key', where, masked: pem[0] }, pem[0]);
    return;
  }
  if (PUTTY_RE.test(line)) {
    add({ kind: 'PuTTY private key', where, masked: 'PuTTY-User-Key-File' }, line);
    return;
  }
  for (const rule of VALUE_RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(line); m; m = rule.re.exec(line)) {
      const v = m[1]!;
      if (isPlaceholder(v)) continue;
      add({ kind: rule.kind, where, masked: mask(v) }, v);
    }
  }
  URL_CRED_RE.lastIndex = 0;
  for (let m = URL_CRED_RE.exec(line); m; m = URL_CRED_RE.exec(line)) {
    const scheme = m[1]!.toLowerCase();
    const pw = m[3]!;
    if (isPlaceholder(pw) || seen.has(pw)) continue;
    const kind = DB_SCHEMES.has(scheme) || scheme.startsWith('jdbc') ? `database URL with a password (${scheme})` : `URL with an embedded password (${scheme})`;
    add({ kind, where, masked: mask(pw) }, pw);
  }
  ASSIGN_RE.lastIndex = 0;
  for (let m = ASSIGN_RE.exec(line); m; m = ASSIGN_RE.exec(line)) {
    const name = m[1]!;
    const value = m[2]!;
    const kind = classifyName(name);
    if (!kind || seen.has(value) || [...seen].some((s) => value.includes(s))) continue;
    if (!namedValueIsSecret(kind, value)) continue;
    add({ kind: kind.kind, where, name, masked: mask(value) }, value);
  }
}

/** Algorithm OIDs (DER) at the start of a PKCS#8 PrivateKeyInfo. */
const PKCS8_OIDS: Array<[string, Buffer]> = [
  ['RSA private key', Buffer.from('06092a864886f70d010101', 'hex')],
  ['EC private key', Buffer.from('06072a8648ce3d0201', 'hex')],
  ['Ed25519 private key', Buffer.from('06032b6570', 'hex')],
  ['DSA private key', Buffer.from('06072a8648ce380401', 'hex')],
];

/** "-----BEGIN PRIVATE KEY-----" (PKCS#8) says no algorithm: read it from the first base64 lines. */
function pkcs8Kind(lines: readonly string[], from: number): string {
  const head = lines.slice(from, from + 3).join('').replace(/[^A-Za-z0-9+/=]/g, '');
  const der = Buffer.from(head.slice(0, 64), 'base64');
  for (const [kind, oid] of PKCS8_OIDS) if (der.includes(oid)) return kind;
  return 'private key (PKCS#8)';
}

/** True when the bytes look like a binary file (a NUL byte in the first 8 KiB). */
export function looksBinary(data: Buffer): boolean {
  return data.subarray(0, 8192).includes(0);
}

/** Secrets in a text file's content. */
export function scanText(text: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE);
    const before = out.length;
    scanLine(line, `line ${i + 1}`, out);
    // A private key block: one finding, the rest of the block is the key itself.
    const last = out[out.length - 1];
    if (out.length > before && last && /private key$/.test(last.kind)) {
      if (last.kind === 'private key') last.kind = pkcs8Kind(lines, i + 1);
      while (i + 1 < lines.length && !lines[i]!.startsWith('-----END')) i++;
    }
  }
  return out;
}

/** Environment variable names that hold secrets whatever their value looks like. */
const ENV_SECRET_NAME_RE = /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|CLIENT_?SECRET|CREDENTIALS?)(?:$|_)|^AWS_(?:SECRET_ACCESS_KEY|ACCESS_KEY_ID|SESSION_TOKEN)$/i;
const ENV_NOT_SECRET_RE = /_(?:FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|PORT|USER|USERNAME|NAME|REGION|TYPE|MODE|ID)$/i;

/** Secrets in the image config's Env (`NAME=value` strings). */
export function scanEnv(env: readonly string[]): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const kv of env) {
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const name = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    if (!value) continue;
    const found: SecretFinding[] = [];
    // Value shapes first (a GitHub token in API_TOKEN is named as such)…
    scanLine(value, `env ${name}`, found);
    scanLine(`${name}=${value}`, `env ${name}`, found);
    // …then the name alone.
    if (!found.length && ENV_SECRET_NAME_RE.test(name) && !(ENV_NOT_SECRET_RE.test(name) && !/AWS_ACCESS_KEY_ID/i.test(name))) {
      if (!isPlaceholder(value) && value.length >= 6 && !/^(?:\/|[a-z]+:\/\/)/i.test(value)) found.push({ kind: 'secret in a variable named like one', where: `env ${name}`, name, masked: mask(value) });
    }
    const kinds = new Set<string>();
    for (const f of found) {
      const key = `${f.kind}\0${f.masked}`;
      if (kinds.has(key)) continue;
      kinds.add(key);
      out.push({ ...f, name });
    }
  }
  return out;
}
