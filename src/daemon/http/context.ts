import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What a control-API handler sees. Handlers are the only thing later issues add: the
 * listeners, routing, body parsing and error mapping of this folder do the rest.
 */

/** Who asked, for authorisation and the audit log (AuditRecord.actor / .client). */
export interface Caller {
  /** The OS user on the unix socket; `token` for a bearer-token holder on TCP. */
  actor: string;
  /** From the `X-Wharf-Client` header; `api` when absent or not one of Wharf's clients. */
  client: ClientName;
  /** Which listener the request came through. */
  via: 'unix' | 'tcp';
}

export type ClientName = 'cli' | 'dashboard' | 'slack' | 'api';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestContext {
  method: string;
  /** The decoded path, without the query. */
  path: string;
  /** Values of the route pattern's `:name` segments, percent-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The parsed JSON body; `undefined` when the request had none. */
  body: unknown;
  caller: Caller;
  /** Aborted when the client goes away before the response is finished. */
  signal: AbortSignal;
  /** For handlers that stream (see sse.ts); most never touch these. */
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Returns the response body (sent as JSON with 200), `undefined` (204), or a `reply()`
 * for another status. A handler that writes to `ctx.res` itself (a stream) owns it.
 * Throwing a WharfError answers with its status and code (errors-to-response.ts).
 */
export type Handler = (ctx: RequestContext) => unknown;

export interface Route {
  method: HttpMethod;
  /** Segments are literals or `:name` parameters: `/apps/:app/envs/:env/plan`. */
  path: string;
  handler: Handler;
}

/** A response with a status other than 200, e.g. `reply(201, release)` or `reply(202, job)`. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export function reply(status: number, body?: unknown): Reply {
  return new Reply(status, body);
}
