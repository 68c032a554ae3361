import { expect, test } from 'vitest';
import type { AuditView } from '../auth/audit.js';
import { summarizeEvent } from './summarize-event.js';

const ev = (action: string, detail: Record<string, unknown> = {}, more: Partial<AuditView> = {}): AuditView => ({
  id: 'e1',
  type: 'audit',
  at: '2026-03-01T10:00:00.000Z',
  category: action.split('.')[0]!,
  actor: null,
  action,
  target: null,
  detail,
  ip: null,
  ...more,
});
const DIGEST = 'sha256:' + 'ab'.repeat(32);

test.each`
  event                                                                                                                                    | summary
  ${ev('scan.finished', { repository: 'demo/app', tag: '1', counts: { critical: 3, high: 10, medium: 0 } })}                               | ${'Scan finished: demo/app:1 — 3 critical, 10 high'}
  ${ev('scan.finished', { repository: 'demo/app', tag: '1', counts: { critical: 0, high: 0 }, durationMs: 2500 })}                         | ${'Scan finished: demo/app:1 — no vulnerabilities (2.5 s)'}
  ${ev('scan.finished', { repository: 'demo/app', digest: DIGEST, summary: { low: 1 } })}                                                  | ${'Scan finished: demo/app@sha256:abababababab… — 1 low'}
  ${ev('scan.finished', {}, { target: DIGEST })}                                                                                           | ${'Scan finished: sha256:abababababab…'}
  ${ev('scan.failed', { reference: 'reg.example/demo/app:1', error: 'manifest unknown', attempts: 3 })}                                    | ${'Scan failed: reg.example/demo/app:1 — manifest unknown (after 3 attempts)'}
  ${ev('scan.failed', { reference: 'x:1', attempts: 1 })}                                                                                  | ${'Scan failed: x:1 (after 1 attempt)'}
  ${ev('db.updated', { built: '2026-03-02', previousBuilt: '2026-03-01', rematched: 12 })}                                                 | ${'Vulnerability DB updated: built 2026-03-02 (was 2026-03-01); 12 images re-matched'}
  ${ev('db.updated', { built: '2026-03-02', previousBuilt: null, rematched: 1 })}                                                          | ${'Vulnerability DB updated: built 2026-03-02; 1 image re-matched'}
  ${ev('findings.changed', { repository: 'demo/app', tags: ['1', 'latest'], gained: ['CVE-1', 'CVE-2'], lost: ['CVE-0'] }, { target: DIGEST })} | ${'Findings changed on demo/app:1 (+1 tags): 2 new (CVE-1, CVE-2); 1 gone (CVE-0)'}
  ${ev('findings.changed', { repository: 'a/b', tags: ['1'], gained: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7'], lost: [] })}            | ${'Findings changed on a/b:1: 7 new (C1, C2, C3, C4, C5 and 2 more)'}
  ${ev('findings.changed', { tags: ['demo/app:1', 'demo/app:latest'], gained: ['CVE-1 openssl@3.0.1'], lost: [], gainedCount: 250, lostCount: 0 }, { target: DIGEST })} | ${'Findings changed on demo/app:1 (+1 tags): 250 new (CVE-1 openssl@3.0.1 and 249 more)'}
  ${ev('findings.changed', { tags: [], gained: ['CVE-1'] }, { target: DIGEST })}                                                        | ${'Findings changed on sha256:abababababab…: 1 new (CVE-1)'}
  ${ev('db.updated', { trigger: 'update', builtAt: '2026-03-02T00:00:00Z', rematched: 5, changed: 2, ms: 40 })}                         | ${'Vulnerability DB updated: built 2026-03-02T00:00:00Z; 5 images re-matched, 2 with changed findings'}
  ${ev('db.update.failed', { error: 'feed unreachable' }, { actor: 'admin' })}                                                           | ${'Vulnerability DB update failed: feed unreachable'}
  ${ev('scan.finished', { repository: 'demo/app', tag: '1', digest: DIGEST, packages: 90, summary: { critical: 1, high: 0, total: 1 } })} | ${'Scan finished: demo/app:1 — 1 critical'}
  ${ev('scan.finished', { repository: 'demo/app', tag: null, digest: DIGEST, summary: null })}                                          | ${'Scan finished: demo/app@sha256:abababababab…'}
  ${ev('scan.cancelled', { reference: 'reg/demo/app:1' }, { actor: 'admin' })}                                                           | ${'Scan cancelled: reg/demo/app:1 by admin'}
  ${ev('crawl.finished', { registry: 'local', repositories: 2, tags: 5, queued: 3, changed: 0, removed: 0, errors: [] })}             | ${'Crawl of registry local finished: 2 repositories, 5 tags, 3 queued for a scan'}
  ${ev('crawl.failed', { registry: 'local', error: 'registry refused the credentials' })}                                                | ${'Crawl of registry local failed: registry refused the credentials'}
  ${ev('auth.login', {}, { actor: 'admin', target: 'admin', ip: '10.0.0.1' })}                                                            | ${'admin logged in from 10.0.0.1'}
  ${ev('auth.login.failed', { reason: 'bad password' }, { target: 'bob', ip: '10.0.0.2' })}                                               | ${'Failed login for bob from 10.0.0.2 (bad password)'}
  ${ev('auth.lockout', { lockedUntil: '2026-03-01T10:15:00Z' }, { target: 'bob' })}                                                       | ${'bob is locked out until 2026-03-01T10:15:00Z after repeated failed logins'}
  ${ev('registry.create', { name: 'local' }, { actor: 'admin' })}                                                                          | ${'admin created registry local'}
  ${ev('user.delete', {}, { actor: 'admin', target: 'bob' })}                                                                              | ${'admin deleted user bob'}
  ${ev('token.create', { name: 'ci' }, { actor: 'admin' })}                                                                                | ${'admin created token ci'}
  ${ev('config.reload', {}, { actor: 'admin' })}                                                                                           | ${'config.reload by admin'}
`('$event.action → "$summary"', ({ event, summary }: { event: AuditView; summary: string }) => {
  expect(summarizeEvent(event)).toBe(summary);
});

test('odd details give a shorter line, never an exception', () => {
  for (const action of ['scan.finished', 'scan.failed', 'db.updated', 'findings.changed', 'auth.login', 'webhook.failed', 'x']) {
    for (const detail of [{}, { counts: 'many', gained: 'x', tags: 7, durationMs: 'slow', attempts: null }]) {
      expect(typeof summarizeEvent(ev(action, detail as Record<string, unknown>))).toBe('string');
    }
  }
});
