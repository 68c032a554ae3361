/**
 * The one error handler: VigilError → its status with `{ code, message }`; Fastify's own 4xx
 * (validation, bad JSON, body too large) keep their status; anything else is a 500 whose body
 * says nothing about the inside, and whose details go to the log only.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { isVigilError } from '../../core/errors.js';
import { statusFor } from '../errors.js';

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isVigilError(err)) {
      const status = statusFor(err);
      if (status >= 500) {
        // A registry or network failure is someone else's outage: one line, no stack.
        if (status !== 500) req.log.warn({ code: err.code, message: err.message }, 'request failed upstream');
        else req.log.error({ err }, 'request failed');
        return reply.status(status).send({ code: err.code, message: status === 500 ? 'internal server error' : err.message });
      }
      return reply.status(status).send({ code: err.code, message: err.message });
    }
    if (err.validation) return reply.status(400).send({ code: 'bad-request', message: err.message });
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.status(status).send({ code: 'bad-request', message: err.message });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ code: 'internal', message: 'internal server error' });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ code: 'not-found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
}
