/**
 * The router's own answers (404, 502, 503, 504 …): short plain text carrying the request id,
 * so a user can quote it and an operator can find the request in the access log.
 */
import { STATUS_CODES } from 'node:http';
import type { FrontResponse } from './front-message.js';

const EXPLANATION: Record<number, string> = {
  404: 'No route matches this host and path.',
  408: 'The request head did not arrive in time.',
  502: 'The application did not give a valid response.',
  503: 'No instance of the application can take this request right now.',
  504: 'The application did not answer in time.',
};

export function errorBody(status: number, requestId: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `${title}\n${EXPLANATION[status] ?? ''}\nrequest id: ${requestId}\n`;
}

export function sendError(res: FrontResponse, status: number, requestId: string, extra?: Record<string, string>): void {
  if (res.headersSent) {
    // Too late for a status: cutting the connection is the only honest signal (RFC 9112 §9.6).
    res.destroy();
    return;
  }
  const body = errorBody(status, requestId);
  res.writeHead(status, undefined, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-request-id': requestId,
    ...extra,
  });
  res.end(body);
}

/** A response for a connection whose request could not be parsed (no ServerResponse exists). */
export function rawErrorResponse(status: number, requestId: string): string {
  const body = errorBody(status, requestId);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`
  );
}
