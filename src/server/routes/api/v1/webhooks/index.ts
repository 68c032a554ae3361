/**
 * /api/v1/webhooks: where events are POSTed (generic JSON or Slack). Webhooks are server
 * configuration, and their URLs can be credentials (Slack's are), so reading them needs `admin`
 * too, not only changing them.
 */
import { Type, type Static } from 'typebox';
import { WEBHOOK_FORMATS, type WebhookFormat } from '../../../../store/schema.js';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { WEBHOOK_CATEGORIES } from '../../../../notify/webhook-service.js';
import { IdParams, errors } from '../../../schemas.js';

const FormatT = Type.Enum([...WEBHOOK_FORMATS], { description: 'json: {event, summary, server}; slack: an incoming-webhook message {text, blocks}' });
// The schema must list exactly the formats the store knows.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const _formatsMatch: Same<Static<typeof FormatT>, WebhookFormat> = true;

const fields = {
  name: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]*$' }),
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL without credentials' }),
  format: FormatT,
  // Checked by the service, whose message lists the categories (Ajv's enum message does not).
  categories: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32, description: `event categories to send, of ${WEBHOOK_CATEGORIES.join(', ')}; empty for all (webhook.* events are never sent)` }),
  enabled: Type.Boolean(),
  secret: Type.Union([Type.String({ minLength: 16, maxLength: 512, description: 'write-only; signs the body: X-Vigil-Signature: sha256=<hex HMAC-SHA256>' }), Type.Null()]),
};

const WebhookT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  format: FormatT,
  categories: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  hasSecret: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const CreateT = Type.Object(
  {
    name: fields.name,
    url: fields.url,
    format: Type.Optional(fields.format),
    categories: Type.Optional(fields.categories),
    enabled: Type.Optional(fields.enabled),
    secret: Type.Optional(fields.secret),
  },
  { additionalProperties: false },
);
const UpdateT = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

const TestResultT = Type.Object({ ok: Type.Boolean(), status: Type.Integer({ description: 'HTTP status; 0 when there was no answer' }), message: Type.String(), attempts: Type.Integer() });

export default async function webhookRoutes(app: VigilServer): Promise<void> {
  const admin = { scope: 'admin' as const };

  app.get('/', { config: admin, schema: { tags: ['webhooks'], summary: 'list webhooks (never their secrets)', response: { 200: Type.Object({ webhooks: Type.Array(WebhookT) }), ...errors(401, 403) } } }, async () => ({
    webhooks: await app.webhooks.list(),
  }));

  app.get('/:id', { config: admin, schema: { tags: ['webhooks'], summary: 'one webhook', params: IdParams, response: { 200: WebhookT, ...errors(401, 403, 404) } } }, async (req) => app.webhooks.get(req.params.id));

  app.post('/', { config: admin, schema: { tags: ['webhooks'], summary: 'add a webhook', body: CreateT, response: { 201: WebhookT, ...errors(400, 401, 403, 409) } } }, async (req, reply) =>
    reply.status(201).send(await app.webhooks.create(principalOf(req), req.body, req.ip)),
  );

  app.patch(
    '/:id',
    { config: admin, schema: { tags: ['webhooks'], summary: 'change some fields of a webhook (secret: a string sets it, null clears it)', params: IdParams, body: UpdateT, response: { 200: WebhookT, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => app.webhooks.update(principalOf(req), req.params.id, req.body, req.ip),
  );

  app.delete('/:id', { config: admin, schema: { tags: ['webhooks'], summary: 'remove a webhook', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } }, async (req, reply) => {
    await app.webhooks.delete(principalOf(req), req.params.id, req.ip);
    return reply.status(204).send(null);
  });

  app.post(
    '/:id/test',
    {
      config: admin,
      schema: { tags: ['webhooks'], summary: 'send a webhook.test event once, now (enabled or not), and say how the receiver answered', params: IdParams, response: { 200: TestResultT, ...errors(401, 403, 404) } },
    },
    async (req) => app.webhooks.test(principalOf(req), req.params.id, req.ip, app.notifier),
  );
}
