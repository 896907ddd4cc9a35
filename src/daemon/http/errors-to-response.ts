import type { ServerResponse } from 'node:http';
import { WharfError } from '../../errors.js';

/**
 * The one place where an error becomes an HTTP response. A WharfError answers with the
 * status of its code and `{ error: { code, message, hint, details } }`; anything else is
 * a bug, answered 500 INTERNAL with no message or stack (they may name files, queries or
 * values), and handed to `log` so the daemon's log has the whole story.
 */

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; details?: unknown };
}

export function errorResponse(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof WharfError) return { status: e.status, body: { error: e.toJSON() } };
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'internal error', hint: 'the daemon log has the details' } },
  };
}

export type ErrorLog = (message: string, error: unknown) => void;

export function sendError(res: ServerResponse, e: unknown, log?: ErrorLog): void {
  if (!(e instanceof WharfError)) log?.(`${res.req?.method ?? '?'} ${res.req?.url ?? '?'} failed`, e);
  const { status, body } = errorResponse(e);
  if (res.headersSent) {
    // A streaming handler failed after its headers went out: all that is left is to cut it.
    res.destroy();
    return;
  }
  if (status === 401) {
    // RFC 6750 §3: a 401 names the scheme. No error attribute: a missing and a wrong
    // token get the same answer, so a prober learns nothing.
    res.setHeader('www-authenticate', 'Bearer realm="wharf"');
  }
  sendJson(res, status, body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 ? 204 : status).end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    'cache-control': 'no-store',
  });
  res.end(payload);
}
