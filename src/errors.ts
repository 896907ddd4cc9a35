/**
 * Wharf's errors: one class, stable codes, an optional hint that says what to do next.
 *
 * The code is the contract (scripts and the dashboard match on it); the message is for
 * people. Exactly one place turns these into text and an exit code (cli/error-boundary.ts),
 * and one place turns them into HTTP responses (daemon/http-errors.ts).
 */

/** Every code Wharf can raise, with the HTTP status the control API answers it with. */
export const ERROR_CODES = {
  USAGE: 400,
  BAD_REQUEST: 400,
  SPEC_NOT_FOUND: 404,
  SPEC_INVALID: 422,
  ENV_NOT_FOUND: 404,
  APP_NOT_FOUND: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LOCK_HELD: 409,
  LOCK_STALE: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  DAEMON_NOT_RUNNING: 503,
  DAEMON_UNREACHABLE: 503,
  APPLY_FAILED: 500,
  BUILD_FAILED: 422,
  RELEASE_FAILED: 422,
  /** A pipeline stage (check, test) failed against the new build: nothing was released. */
  PIPELINE_FAILED: 422,
  /** The release's build was collected, so it cannot be started again. */
  BUILD_GONE: 410,
  DEPLOY_FAILED: 500,
  TARGET_FAILED: 500,
  STATE_CORRUPT: 500,
  /** The state database was written by a newer Wharf (its schema version is ahead of this code). */
  STATE_TOO_NEW: 500,
  INTERNAL: 500,
  /** The path exists under other methods (RFC 9110 §15.5.6); the control API's router raises it. */
  METHOD_NOT_ALLOWED: 405,
  /** The router's admin socket does not answer (router not running, or restarting). */
  ROUTER_UNREACHABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface WharfErrorOptions {
  /** What the user can do next, e.g. "run `wharf lock release -e production`". */
  hint?: string;
  /** Structured detail for --json output and API bodies (never secrets). */
  details?: unknown;
  cause?: unknown;
}

export class WharfError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: WharfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WharfError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: unknown } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isWharfError(e: unknown): e is WharfError {
  return e instanceof WharfError;
}

/** Wraps anything thrown into a WharfError, keeping the original as the cause. */
export function asWharfError(e: unknown, code: ErrorCode = 'INTERNAL'): WharfError {
  if (e instanceof WharfError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new WharfError(code, message, { cause: e });
}
