import type { Analyzer } from '../../engine/analyzer.js';
import { isSecretCandidate, looksBinary, scanText, SECRET_FILE_MAX, type SecretFinding } from './secrets.js';

/**
 * The analyzers the image checks need, run in the same pass over the layers as the catalogers.
 * Names are the keys of the values in the merged view.
 */

export const SETID_ANALYZER = 'image-checks/setid';
export const SECRETS_ANALYZER = 'image-checks/secrets';
export const PASSWD_ANALYZER = 'image-checks/passwd';

/**
 * setuid/setgid files. Every executable (and every file with a set-id bit) is recorded, not only
 * the set-id ones, so that a later layer's `chmod a-s` (a new copy of the file without the bit)
 * replaces the lower layer's set-id version in the merged view. The value is `true` for set-id files.
 */
export const setIdAnalyzer: Analyzer<true> = {
  name: SETID_ANALYZER,
  wants: (meta) => ((meta.mode & 0o6111) !== 0 ? 'meta' : false),
  analyze: (meta) => ((meta.mode & 0o6000) !== 0 ? true : undefined),
};

export type SecretsValue = { findings: SecretFinding[] } | { notRead: 'too-large' | 'binary' };

/** Secrets in the files whose path says keys, credentials or configuration (see secrets.ts). */
export const secretsAnalyzer: Analyzer<SecretsValue> = {
  name: SECRETS_ANALYZER,
  maxSize: SECRET_FILE_MAX,
  wants: (meta) => (meta.size > 0 && isSecretCandidate(meta.path) ? 'content' : false),
  async analyze(meta, file) {
    if (!file) return meta.size > SECRET_FILE_MAX ? { notRead: 'too-large' } : undefined;
    const data = await file.buffer();
    if (looksBinary(data)) return { notRead: 'binary' };
    const findings = scanText(data.toString('utf8'));
    return findings.length ? { findings } : undefined;
  },
};

/** /etc/passwd: user name → uid, to tell whether a named USER is uid 0. */
export const passwdAnalyzer: Analyzer<Record<string, number>> = {
  name: PASSWD_ANALYZER,
  maxSize: 4 * 1024 * 1024,
  wants: (meta) => (meta.path === '/etc/passwd' ? 'content' : false),
  async analyze(_meta, file) {
    if (!file) return undefined;
    const users: Record<string, number> = {};
    for (const line of (await file.buffer()).toString('utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!)) users[f[0]] = Number(f[2]);
    }
    return users;
  },
};

/** Everything the image checks need from the layers. */
export const IMAGE_CHECK_ANALYZERS: readonly Analyzer[] = [setIdAnalyzer, secretsAnalyzer, passwdAnalyzer];
