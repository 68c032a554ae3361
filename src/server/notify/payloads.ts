/**
 * What a webhook receives, per format: `json` (the event as the events API shows it, plus a
 * summary line and who sent it) or `slack` (an incoming-webhook message: `text` and blocks).
 * Bodies stay small: long lists in an event's detail are cut, and the cut is said.
 */
import { createHmac } from 'node:crypto';
import type { AuditView } from '../auth/audit.js';
import type { WebhookFormat } from '../store/schema.js';
import { summarizeEvent } from './summarize-event.js';

export const MAX_BODY_BYTES = 32 * 1024;
/** Items kept of a long array in a detail when the body is over the limit. */
const LIST_KEEP = 50;
/** Slack refuses section text over 3000 characters. */
const SLACK_TEXT_MAX = 2900;

export interface ServerInfo {
  product: 'vigil';
  version: string;
}

/** The summary line is made from the whole event, before any list in it is cut. */
export interface RenderContext {
  server: ServerInfo;
  summary: string;
}

export interface PayloadFormat {
  readonly id: WebhookFormat;
  render(e: AuditView, ctx: RenderContext): unknown;
}

export interface JsonPayload {
  event: AuditView & { truncated?: Record<string, number> };
  summary: string;
  server: ServerInfo;
}

const json = {
  id: 'json',
  render(e: AuditView, { server, summary }: RenderContext): JsonPayload {
    return { event: e, summary, server };
  },
} satisfies PayloadFormat;

const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max - 1) + '…' : s);

const slack = {
  id: 'slack',
  render(e: AuditView, { summary }: RenderContext) {
    const text = cut(escapeSlack(summary), SLACK_TEXT_MAX);
    const context = [`\`${e.action}\``, e.at, e.actor ? `by ${escapeSlack(e.actor)}` : 'by Vigil', e.target ? `target ${escapeSlack(cut(e.target, 200))}` : ''].filter(Boolean).join(' · ');
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
      ],
    };
  },
} satisfies PayloadFormat;

export const FORMATS: Readonly<Record<WebhookFormat, PayloadFormat>> = { json, slack };

/**
 * The body for one event in one format, at most `maxBytes` when the event allows it: arrays in
 * the detail are cut to their first items (their full lengths go in `event.truncated`), and if
 * that is not enough the detail is dropped.
 */
export function renderBody(format: WebhookFormat, e: AuditView, server: ServerInfo, maxBytes = MAX_BODY_BYTES): string {
  const ctx = { server, summary: summarizeEvent(e) };
  const body = JSON.stringify(FORMATS[format].render(e, ctx));
  if (Buffer.byteLength(body) <= maxBytes) return body;
  const truncated: Record<string, number> = {};
  const detail = Object.fromEntries(
    Object.entries(e.detail).map(([k, v]) => {
      if (Array.isArray(v) && v.length > LIST_KEEP) {
        truncated[`detail.${k}`] = v.length;
        return [k, v.slice(0, LIST_KEEP)];
      }
      return [k, v];
    }),
  );
  const smaller = JSON.stringify(FORMATS[format].render({ ...e, detail, ...(format === 'json' ? { truncated } : {}) }, ctx));
  if (Buffer.byteLength(smaller) <= maxBytes) return smaller;
  return JSON.stringify(FORMATS[format].render({ ...e, detail: {}, ...(format === 'json' ? { truncated: { detail: Buffer.byteLength(JSON.stringify(e.detail)) } } : {}) }, ctx));
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body), GitHub's header shape, so existing verifiers fit. */
export function signBody(body: string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}
