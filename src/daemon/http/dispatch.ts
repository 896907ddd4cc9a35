import type { IncomingMessage, ServerResponse } from 'node:http';
import { WharfError } from '../../errors.js';
import type { Caller, RequestContext } from './context.js';
import { Reply } from './context.js';
import { type ErrorLog, sendError, sendJson } from './errors-to-response.js';
import { readJsonBody } from './read-body.js';
import type { Router } from './router.js';

export interface DispatchOptions {
  router: Router;
  bodyLimitBytes: number;
  log?: ErrorLog;
}

export type Dispatch = (req: IncomingMessage, res: ServerResponse, caller: Caller) => Promise<void>;

/**
 * One request, start to end: route, read the body, run the handler, answer. Every failure
 * on the way, the handler's included, goes through sendError, so no path answers
 * differently. Authentication happens before this, in the listener (control-server.ts).
 */
export function createDispatch({ router, bodyLimitBytes, log }: DispatchOptions): Dispatch {
  return async (req, res, caller) => {
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort();
    });
    try {
      const url = new URL(req.url ?? '/', 'http://wharf.invalid');
      const match = router.match(req.method ?? 'GET', url.pathname);
      if (match.kind === 'not-found') {
        throw new WharfError('NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
      }
      if (match.kind === 'method-not-allowed') {
        res.setHeader('allow', match.allow.join(', '));
        throw methodNotAllowed(req.method ?? '?', url.pathname, match.allow);
      }
      const ctx: RequestContext = {
        method: req.method ?? 'GET',
        path: url.pathname,
        params: match.params,
        query: url.searchParams,
        body: await readJsonBody(req, bodyLimitBytes),
        caller,
        signal: aborter.signal,
        req,
        res,
      };
      const result = await match.handler(ctx);
      if (res.headersSent || res.writableEnded) return; // the handler streamed its own answer
      closeIfUnread(req, res);
      if (result instanceof Reply) sendJson(res, result.status, result.body);
      else sendJson(res, 200, result);
    } catch (e) {
      if (res.writableEnded) return;
      closeIfUnread(req, res);
      sendError(res, e, log);
    }
  };
}

function methodNotAllowed(method: string, path: string, allow: string[]): WharfError {
  return new WharfError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, {
    hint: `allowed: ${allow.join(', ')}`,
    details: { allow },
  });
}

/**
 * A body we did not read to its end (refused as too large, or the handler ignored it) is
 * not drained: the connection closes after the answer, so a client cannot make the
 * daemon read a gigabyte it has already said no to.
 */
function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete) res.setHeader('connection', 'close');
}
