/**
 * One error type for the whole product. `code` is a short stable string that the CLI
 * prints (`vigil: <code>: <message>`) and maps to an exit code, and that the server maps
 * to an HTTP status. Anything that is not a VigilError is an internal failure (exit 3).
 */
export type ErrorKind =
  | 'usage' // bad command line or option
  | 'input' // the thing to scan is unreadable, corrupt or hostile
  | 'registry' // the registry refused or failed
  | 'network' // connection, TLS, timeout
  | 'db' // vulnerability DB missing/corrupt
  | 'internal';

export class VigilError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(code: string, message: string, options: { kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.kind = options.kind ?? 'input';
  }
}

export function isVigilError(e: unknown): e is VigilError {
  return e instanceof VigilError;
}

/** A short human reason for an unknown thrown value (never a stack). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
