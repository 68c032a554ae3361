/**
 * HTTP side of the one error type: the server throws VigilError with these codes, and the
 * error handler maps code (first) or kind (else) to a status. 5xx bodies never carry internals.
 */
import { VigilError, type ErrorKind } from '../core/errors.js';

const STATUS_BY_CODE: Record<string, number> = {
  'bad-request': 400,
  unauthorized: 401,
  'bad-credentials': 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'locked-out': 429,
};

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  usage: 400,
  input: 400,
  registry: 502,
  network: 502,
  db: 503,
  internal: 500,
};

export function statusFor(e: VigilError): number {
  return STATUS_BY_CODE[e.code] ?? STATUS_BY_KIND[e.kind];
}

export const unauthorized = (message = 'a valid bearer token is required') => new VigilError('unauthorized', message);
export const forbidden = (message: string) => new VigilError('forbidden', message);
export const notFound = (message: string) => new VigilError('not-found', message);
export const conflict = (message: string) => new VigilError('conflict', message);
export const badRequest = (message: string) => new VigilError('bad-request', message);
