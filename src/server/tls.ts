/**
 * HTTPS material: the operator's `--tls-cert/--tls-key`, else a self-signed certificate made
 * with `selfsigned` into `<dataDir>/tls/` on first start and reused after (so clients that
 * pinned it keep working). Valid for localhost, 127.0.0.1, ::1 and this host's name.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { VigilError, describeError } from '../core/errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** The certificate file, to hand to clients as their CA. */
  certFile: string;
  generated: boolean;
}

export async function loadOrCreateTls(o: { dataDir: string; certFile?: string; keyFile?: string }): Promise<TlsMaterial> {
  if (o.certFile || o.keyFile) {
    if (!o.certFile || !o.keyFile) throw new VigilError('tls-options', '--tls-cert and --tls-key go together', { kind: 'usage' });
    return { cert: readPem(o.certFile, '--tls-cert'), key: readPem(o.keyFile, '--tls-key'), certFile: o.certFile, generated: false };
  }
  const dir = join(o.dataDir, 'tls');
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  if (existsSync(certFile) && existsSync(keyFile)) return { cert: readPem(certFile, 'certificate'), key: readPem(keyFile, 'key'), certFile, generated: false };
  const host = hostname();
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'vigil-server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 825 * 86400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [{ type: 2, value: 'localhost' }, ...(host && host !== 'localhost' ? [{ type: 2 as const, value: host }] : []), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, certFile, generated: true };
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new VigilError('tls-file', `cannot read the TLS ${what} ${file}: ${describeError(e)}`, { kind: 'usage', cause: e });
  }
}
