import { createHmac } from 'node:crypto';
import { expect, test } from 'vitest';
import type { AuditView } from '../auth/audit.js';
import { MAX_BODY_BYTES, renderBody, signBody, type JsonPayload } from './payloads.js';

const server = { product: 'vigil' as const, version: '1.2.3' };
const ev = (detail: Record<string, unknown>): AuditView => ({
  id: 'e1',
  type: 'audit',
  at: '2026-03-01T10:00:00.000Z',
  category: 'findings',
  actor: null,
  action: 'findings.changed',
  target: 'sha256:aa',
  detail,
  ip: null,
});

test('the signature is HMAC-SHA256 of the body, hex, after sha256=', () => {
  expect(signBody('{"a":1}', 'k')).toBe('sha256=' + createHmac('sha256', 'k').update('{"a":1}').digest('hex'));
});

test('a small event is sent whole', () => {
  const e = ev({ repository: 'demo/app', tags: ['1'], gained: ['CVE-1'], lost: [] });
  expect(JSON.parse(renderBody('json', e, server))).toEqual({ event: e, summary: 'Findings changed on demo/app:1: 1 new (CVE-1)', server });
});

test('long lists are cut to keep the body small, and the cut is said', () => {
  const gained = Array.from({ length: 5000 }, (_, i) => `CVE-2026-${10000 + i}`);
  const body = renderBody('json', ev({ repository: 'demo/app', tags: ['1'], gained, lost: ['CVE-1'] }), server);
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  const p = JSON.parse(body) as JsonPayload;
  expect(p.event.truncated).toEqual({ 'detail.gained': 5000 });
  expect(p.event.detail.gained).toHaveLength(50);
  expect(p.event.detail.lost).toEqual(['CVE-1']);
  // The summary counts the whole list.
  expect(p.summary).toMatch(/^Findings changed on demo\/app:1: 5000 new \(CVE-2026-10000, .* and 4995 more\); 1 gone/);
});

test('a detail too big even after the cut is dropped, with its size', () => {
  const body = renderBody('json', ev({ note: 'x'.repeat(100_000) }), server);
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  expect((JSON.parse(body) as JsonPayload).event).toMatchObject({ detail: {}, truncated: { detail: 100_011 } });
});

test('slack: text escaped for mrkdwn and capped', () => {
  const body = JSON.parse(renderBody('slack', { ...ev({}), action: 'scan.failed', category: 'scan', detail: { reference: '<demo>&app', error: 'e'.repeat(5000) } }, server)) as { text: string };
  expect(body.text.startsWith('Scan failed: &lt;demo&gt;&amp;app — eee')).toBe(true);
  expect(body.text.length).toBeLessThanOrEqual(2900);
});
