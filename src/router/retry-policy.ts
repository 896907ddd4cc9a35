/**
 * When a failed attempt may be tried again on another instance (at most once).
 *
 * - A connection that never opened sent nothing: any method may be retried.
 * - 502/503/504 answers and resets after the request went out are retried only for
 *   idempotent methods (RFC 9110 §9.2.2) whose request had no body: the router streams
 *   bodies and does not keep them, so a body's bytes, once sent, cannot be sent again.
 *   A POST or PATCH that reached an instance is therefore never repeated.
 */

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export type AttemptOutcome =
  | { kind: 'connect-failed' }
  | { kind: 'reset-after-send' }
  | { kind: 'response'; status: number };

export interface RetryContext {
  method: string;
  /** The request carried a body (Content-Length > 0 or Transfer-Encoding). */
  hasBody: boolean;
  /** Attempts made so far, including the failed one. */
  attempts: number;
}

export const MAX_ATTEMPTS = 2;

export function shouldRetry(o: AttemptOutcome, c: RetryContext): boolean {
  if (c.attempts >= MAX_ATTEMPTS) return false;
  if (o.kind === 'connect-failed') return true;
  const safe = IDEMPOTENT.has(c.method) && !c.hasBody;
  if (o.kind === 'reset-after-send') return safe;
  return safe && (o.status === 502 || o.status === 503 || o.status === 504);
}
