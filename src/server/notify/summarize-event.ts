/**
 * One readable line per event, for chat notifications ("Scan finished: demo/app:1 — 3 critical,
 * 10 high"). Reads the detail shapes the recorders write, defensively: a missing field gives a
 * shorter line, never an exception.
 */
import type { AuditView } from '../auth/audit.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
const LIST_MAX = 5;

type Detail = Record<string, unknown>;
type Summarizer = (e: AuditView, d: Detail) => string;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const by = (e: AuditView) => (e.actor ? ` by ${e.actor}` : '');

/**
 * `demo/app:1`, else `demo/app@sha256:…`, else the digest or reference given. `tags` is either
 * tags of `repository` or whole `repo:tag` references (findings.changed lists every place the
 * digest is seen).
 */
export function imageName(d: Detail, digest?: string | null): string {
  const repo = str(d.repository);
  const tags = strings(d.tags);
  const more = tags.length > 1 ? ` (+${tags.length - 1} tags)` : '';
  const tag = str(d.tag) ?? tags[0];
  const dig = str(d.digest) ?? digest ?? undefined;
  const shortDigest = dig ? dig.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…') : undefined;
  if (repo && tag) return `${repo}:${tag}${str(d.tag) ? '' : more}`;
  if (!repo && tags[0]?.includes(':')) return `${tags[0]}${more}`;
  if (repo && shortDigest) return `${repo}@${shortDigest}`;
  return repo ?? str(d.reference) ?? shortDigest ?? 'an image';
}

/** "3 critical, 10 high" from {critical: 3, high: 10, …}; "no vulnerabilities" when all are 0. */
export function severityCounts(counts: unknown): string | undefined {
  if (!counts || typeof counts !== 'object') return undefined;
  const c = counts as Record<string, unknown>;
  const parts = SEVERITIES.flatMap((s) => (num(c[s]) ? [`${num(c[s])} ${s}`] : []));
  return parts.length ? parts.join(', ') : 'no vulnerabilities';
}

function list(ids: string[], total = ids.length): string {
  const shown = ids.slice(0, LIST_MAX);
  return shown.join(', ') + (total > shown.length ? ` and ${total - shown.length} more` : '');
}

const SUMMARIES: Record<string, Summarizer> = {
  'scan.finished': (e, d) => {
    const counts = severityCounts(d.counts ?? d.summary);
    const ms = num(d.durationMs);
    return `Scan finished: ${imageName(d, e.target)}${counts ? ` — ${counts}` : ''}${ms !== undefined ? ` (${(ms / 1000).toFixed(1)} s)` : ''}`;
  },
  'scan.failed': (e, d) => {
    const attempts = num(d.attempts);
    return `Scan failed: ${str(d.reference) ?? imageName(d, e.target)}${str(d.error) ? ` — ${str(d.error)}` : ''}${attempts ? ` (after ${attempts} attempt${attempts === 1 ? '' : 's'})` : ''}`;
  },
  'scan.cancelled': (e, d) => `Scan cancelled: ${str(d.reference) ?? e.target ?? 'a job'}${by(e)}`,
  'crawl.finished': (e, d) => {
    const [repos, tags, queued] = [num(d.repositories), num(d.tags), num(d.queued)];
    const counts = repos !== undefined && tags !== undefined ? `: ${repos} repositor${repos === 1 ? 'y' : 'ies'}, ${tags} tag${tags === 1 ? '' : 's'}, ${queued ?? 0} queued for a scan` : '';
    return `Crawl of registry ${str(d.registry) ?? e.target ?? ''} finished${counts}`;
  },
  'crawl.failed': (e, d) => {
    const errors = strings(d.errors);
    return `Crawl of registry ${str(d.registry) ?? e.target ?? ''} failed${str(d.error) ? `: ${str(d.error)}` : errors.length ? `: ${list(errors)}` : ''}`;
  },
  'db.updated': (_e, d) => {
    const prev = str(d.previousBuilt);
    const n = num(d.rematched);
    const changed = num(d.changed);
    const matched = n !== undefined ? `; ${n} image${n === 1 ? '' : 's'} re-matched${changed !== undefined ? `, ${changed} with changed findings` : ''}` : '';
    return `Vulnerability DB updated: built ${str(d.built) ?? str(d.builtAt) ?? 'now'}${prev ? ` (was ${prev})` : ''}${matched}`;
  },
  'db.update.failed': (_e, d) => `Vulnerability DB update failed${str(d.error) ? `: ${str(d.error)}` : ''}`,
  'findings.changed': (e, d) => {
    const gained = strings(d.gained);
    const lost = strings(d.lost);
    // The lists may be cut by the recorder (or the body limit); the counts, when given, are whole.
    const nGained = num(d.gainedCount) ?? gained.length;
    const nLost = num(d.lostCount) ?? lost.length;
    const parts = [nGained ? `${nGained} new (${list(gained, nGained)})` : '', nLost ? `${nLost} gone (${list(lost, nLost)})` : ''].filter(Boolean);
    return `Findings changed on ${imageName(d, e.target)}: ${parts.join('; ') || 'no change'}`;
  },
  'auth.login': (e) => `${e.target ?? e.actor ?? 'someone'} logged in${e.ip ? ` from ${e.ip}` : ''}`,
  'auth.logout': (e) => `${e.actor ?? e.target ?? 'someone'} logged out`,
  'auth.login.failed': (e, d) => `Failed login for ${e.target ?? 'unknown user'}${e.ip ? ` from ${e.ip}` : ''}${str(d.reason) ? ` (${str(d.reason)})` : ''}`,
  'auth.login.refused': (e) => `Login refused for ${e.target ?? 'unknown user'}${e.ip ? ` from ${e.ip}` : ''}: the account is locked`,
  'auth.lockout': (e, d) => `${e.target ?? 'A user'} is locked out${str(d.lockedUntil) ? ` until ${str(d.lockedUntil)}` : ''} after repeated failed logins`,
  'webhook.test': (e, d) => `Test notification from Vigil${str(d.name) ? ` for webhook ${str(d.name)}` : ''}${by(e)}`,
  'webhook.failed': (_e, d) => `Webhook ${str(d.name) ?? ''} failed after ${num(d.attempts) ?? '?'} attempts: ${str(d.error) ?? 'unknown error'}`,
};

const VERBS: Record<string, string> = { create: 'created', update: 'changed', delete: 'deleted', test: 'tested' };

export function summarizeEvent(e: AuditView): string {
  const d = e.detail ?? {};
  const special = SUMMARIES[e.action];
  if (special) return special(e, d);
  // registry.create, user.delete, token.create, webhook.update, …: "<actor> created registry local".
  const [noun, verb] = e.action.split('.');
  const done = verb ? VERBS[verb] : undefined;
  const what = str(d.name) ?? str(d.username) ?? e.target ?? '';
  if (noun && done) return `${e.actor ?? 'Vigil'} ${done} ${noun} ${what}`.trimEnd();
  return `${e.action}${what ? ` on ${what}` : ''}${by(e)}`;
}
