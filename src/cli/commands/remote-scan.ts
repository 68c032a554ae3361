/**
 * `vigil scan image <ref> --server URL`: the controller pulls, inventories and matches the image
 * (POST /api/v1/scan/repository) and this command renders the report it answers with through the
 * same policy, reporters and exit codes as a local scan. No vulnerability DB is needed here, and
 * the registry's credentials and TLS settings are the controller's registry entry, not flags.
 */
import type { Dispatcher } from 'undici';
import { VigilError, isVigilError } from '../../core/errors.js';
import type { ScanReport } from '../../report/types.js';
import type { Verdict, VerdictPolicy } from '../../policy/verdict.js';
import { EXIT } from '../errors.js';
import { vigilVersion } from '../version.js';
import { emit, planOutput, type CommonOptions } from './scan.js';

export interface ServerOptions {
  /** Controller base URL (`--server`, else VIGIL_SERVER). */
  server: string;
  /** API token (`--token`, else VIGIL_TOKEN). */
  token?: string;
  /** CA certificates to trust for the controller (`--server-ca`, repeatable). */
  serverCa?: string[];
  /** Do not verify the controller's TLS certificate. */
  insecureServer?: boolean;
}

/** What POST /api/v1/scan/repository answers. */
interface CiScanAnswer {
  job: { id: string; status: string };
  digest: string;
  cached: boolean;
  verdict: Verdict;
  report: ScanReport;
}

/** Options that choose how *this* process reaches a registry: the controller does that with its own registry entry. */
const REGISTRY_FLAGS: ReadonlyArray<[keyof CommonOptions, string]> = [
  ['insecureRegistry', '--insecure-registry'],
  ['username', '--username'],
  ['passwordStdin', '--password-stdin'],
  ['caFile', '--ca-file'],
  ['db', '--db'],
  ['dbMaxAge', '--db-max-age'],
];

/** The answer can be a big report, but not unbounded. */
const MAX_ANSWER_BYTES = 512 * 1024 * 1024;
/** The controller answers when the scan has ended: a cold pull of a large image takes minutes. */
const DEFAULT_WAIT_MS = 30 * 60_000;

const usage = (message: string) => new VigilError('bad-option', message, { kind: 'usage' });

function serverUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usage(`--server must be the controller's URL (https://host:port), got ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw usage(`--server must be an http(s) URL, not ${u.protocol}`);
  if (u.username || u.password) throw usage('--server must not carry credentials; give the API token with --token or VIGIL_TOKEN');
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.search = '';
  u.hash = '';
  return u;
}

function checkOptions(ref: string, o: CommonOptions & ServerOptions): void {
  if (/^(oci|docker-archive):/.test(ref)) throw usage(`--server scans registry images; ${ref.split(':')[0]}: references are read locally (drop --server / VIGIL_SERVER)`);
  for (const [key, flag] of REGISTRY_FLAGS) {
    if (o[key] !== undefined && o[key] !== false) {
      throw usage(`${flag} does not apply with --server: the controller reaches the registry with its registry entry's settings and matches with its own DB`);
    }
  }
  if (!o.token) throw usage('--server needs an API token: --token or VIGIL_TOKEN (create one with the scan scope: POST /api/v1/tokens)');
}

/** Trust, proxies and timeouts for the controller, with the registry transport's TLS handling. */
async function dispatcherFor(o: ServerOptions): Promise<Dispatcher> {
  const { createDispatcher } = await import('../../image/registry/http.js');
  // Per-request timeouts go on the request; the dispatcher keeps TLS trust and proxies.
  return createDispatcher({ insecure: !!o.insecureServer, ...(o.serverCa?.length ? { caFiles: o.serverCa } : {}) });
}

const TLS_HINT = 'trust its CA with --server-ca <pem> (the generated certificate is in the server data dir, tls/), or --insecure-server';

function connectionError(e: unknown, base: URL): VigilError {
  if (isVigilError(e)) return e;
  let code: string | undefined;
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object' && !code; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c !== 'UND_ERR_SOCKET') code = c;
    cur = (cur as { cause?: unknown }).cause;
  }
  const reason = e instanceof Error ? e.message : String(e);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new VigilError('server-timeout', `the controller at ${base.origin} did not answer in time (${code}); raise --timeout`, { kind: 'network', cause: e });
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(code)) return new VigilError('server-tls', `the TLS certificate of ${base.origin} is not trusted (${code}); ${TLS_HINT}`, { kind: 'network', cause: e });
  return new VigilError('server-unreachable', `cannot reach the controller at ${base.origin}: ${reason}${code ? ` (${code})` : ''}`, { kind: 'network', cause: e });
}

/** The controller's `{ code, message }` as this CLI's one-line error; its code when it is one of ours. */
function answerError(status: number, text: string, base: URL): VigilError {
  let code = '';
  let message = '';
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string' && /^[a-z][a-z-]{0,40}$/.test(body.code)) code = body.code;
    if (typeof body.message === 'string') message = body.message.split('\n')[0]!.slice(0, 2000);
  } catch {
    // not JSON: a proxy's page, or not a Vigil controller at all
  }
  const where = `controller ${base.origin}`;
  if (status === 401) return new VigilError('unauthorized', `${where} refused the API token (HTTP 401${message ? `: ${message}` : ''}); check --token / VIGIL_TOKEN`, { kind: 'usage' });
  if (status === 403) return new VigilError('forbidden', `${where}: ${message || 'HTTP 403'}; the token needs the scan scope`, { kind: 'usage' });
  if (!code) return new VigilError('bad-server-answer', `${where} answered HTTP ${status}${message ? `: ${message}` : ', not a Vigil error; is --server the controller URL?'}`, { kind: status >= 500 ? 'network' : 'usage' });
  // A 500 is the controller's own failure: exit 3 as an internal one would be locally.
  const kind = status === 500 ? 'internal' : status >= 500 ? 'registry' : 'usage';
  return new VigilError(code, `${where}: ${message || `HTTP ${status}`}`, { kind });
}

async function readAnswer(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      throw new VigilError('bad-server-answer', `the controller's answer is over ${MAX_ANSWER_BYTES} bytes`, { kind: 'network' });
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isAnswer(x: unknown): x is CiScanAnswer {
  const a = x as Partial<CiScanAnswer> | null;
  const r = a?.report as Partial<ScanReport> | undefined;
  return !!a && typeof a.digest === 'string' && typeof a.cached === 'boolean' && typeof a.verdict?.pass === 'boolean' && !!r && r.schemaVersion === 1 && Array.isArray(r.vulnerabilities) && Array.isArray(r.packages) && !!r.summary && !!r.artifact;
}

/** POSTs the scan request and waits for the answer (the controller answers when the scan is over). */
export async function requestScan(ref: string, policy: VerdictPolicy | undefined, o: ServerOptions & { timeout?: string }): Promise<CiScanAnswer> {
  const base = serverUrl(o.server);
  let waitMs = DEFAULT_WAIT_MS;
  if (o.timeout !== undefined) {
    const s = Number(o.timeout);
    if (!Number.isFinite(s) || s <= 0) throw usage(`--timeout must be a positive number of seconds, got ${JSON.stringify(o.timeout)}`);
    waitMs = s * 1000;
  }
  const { request } = await import('undici');
  const dispatcher = await dispatcherFor(o);
  const url = new URL('api/v1/scan/repository', base);
  try {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json', accept: 'application/json', 'user-agent': `vigil/${vigilVersion()}` },
        body: JSON.stringify({ image: ref, ...(policy ? { policy } : {}) }),
        headersTimeout: waitMs,
        bodyTimeout: Math.min(waitMs, 5 * 60_000),
      });
    } catch (e) {
      throw connectionError(e, base);
    }
    let text: string;
    try {
      text = await readAnswer(res.body);
    } catch (e) {
      throw connectionError(e, base);
    }
    if (res.statusCode !== 200) throw answerError(res.statusCode, text, base);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (!isAnswer(answer)) throw new VigilError('bad-server-answer', `controller ${base.origin} answered HTTP 200 without a scan report; is --server the controller URL?`, { kind: 'network' });
    return answer;
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** `vigil scan image <ref> --server …`; returns the exit code, as runScan does. */
export async function runRemoteScan(ref: string, o: CommonOptions & ServerOptions): Promise<number> {
  const plan = await planOutput(o);
  checkOptions(ref, o);
  // `--fail-on` (and what it looks at, `--ignore-unfixed`) is also the controller's policy, so its verdict is the same decision.
  const policy: VerdictPolicy | undefined = plan.failOn ? { failOn: plan.failOn, ...(o.ignoreUnfixed ? { ignoreUnfixed: true } : {}) } : undefined;
  const answer = await requestScan(ref, policy, o);
  const code = await emit(answer.report, o, plan);
  // Local choices the controller does not know (VEX, an ignore file, --severity) can only take
  // findings away; when there are none, the controller's verdict stands on its own.
  const localOnly = plan.vex.length > 0 || plan.ignores.length > 0 || plan.severities !== undefined;
  if (policy && !answer.verdict.pass && !localOnly) return Math.max(code, EXIT.failOn);
  return code;
}
