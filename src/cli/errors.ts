import { isVigilError, type VigilError } from '../core/errors.js';

/** SPEC exit codes. */
export const EXIT = { ok: 0, failOn: 1, badInput: 2, internal: 3 } as const;

export function exitCodeFor(e: unknown): number {
  if (!isVigilError(e)) return EXIT.internal;
  return (e as VigilError).kind === 'internal' ? EXIT.internal : EXIT.badInput;
}

/** One line: `vigil: <code>: <message>`; the stack only with --debug. */
export function formatError(e: unknown, debug: boolean): string {
  if (isVigilError(e)) {
    let line = `vigil: ${e.code}: ${e.message}`;
    if (debug && e.stack) line += `\n${e.stack}`;
    if (debug && e.cause instanceof Error && e.cause.stack) line += `\ncaused by: ${e.cause.stack}`;
    return line;
  }
  const msg = e instanceof Error ? e.message : String(e);
  let line = `vigil: internal: ${msg.split('\n')[0]} (run with --debug for details)`;
  if (debug && e instanceof Error && e.stack) line += `\n${e.stack}`;
  return line;
}
