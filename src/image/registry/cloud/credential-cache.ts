import { createHash } from 'node:crypto';
import type { CloudCredentials } from './exchanger.js';

/** Exchange again this long before a credential expires, so it does not lapse mid-scan. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_ENTRIES = 512;

interface Entry {
  creds: CloudCredentials;
  /** Reuse until then (expiry less the margin). */
  reuseUntil: number;
}

/**
 * Exchanged credentials by (type, registry origin, username, password digest). The password's
 * digest is in the key so that a changed secret is exchanged afresh instead of being answered
 * with the old secret's token (a "test connection" after a wrong edit must fail). Concurrent
 * requests for one key share one exchange; failures are not kept.
 */
export class CloudCredentialCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<CloudCredentials>>();

  static key(type: string, origin: string, username: string | undefined, password: string | undefined): string {
    const digest = createHash('sha256').update(password ?? '').digest('hex');
    return JSON.stringify([type, origin, username ?? null, digest]);
  }

  async get(key: string, now: () => number, exchange: () => Promise<CloudCredentials>): Promise<CloudCredentials> {
    const hit = this.entries.get(key);
    if (hit && now() < hit.reuseUntil) return hit.creds;
    if (hit) this.entries.delete(key);
    const running = this.pending.get(key);
    if (running) return running;
    const p = exchange()
      .then((creds) => {
        this.put(key, creds, now());
        return creds;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  private put(key: string, creds: CloudCredentials, at: number): void {
    if (!creds.expiresAt) return;
    const expires = creds.expiresAt.getTime();
    // Short-lived credentials: reuse for the first half of their life at most.
    const reuseUntil = expires - Math.min(REFRESH_MARGIN_MS, Math.max(0, expires - at) / 2);
    if (reuseUntil <= at) return;
    for (const [k, e] of this.entries) if (e.reuseUntil <= at) this.entries.delete(k);
    while (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { creds, reuseUntil });
  }

  /** Forgets everything (e.g. after a registry's credentials were edited). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
