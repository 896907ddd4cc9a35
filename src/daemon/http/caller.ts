import type { IncomingMessage } from 'node:http';
import { userInfo } from 'node:os';
import type { Caller, ClientName } from './context.js';

/** The header a Wharf client names itself with; the audit log records it. */
export const CLIENT_HEADER = 'x-wharf-client';

const CLIENTS: ReadonlySet<string> = new Set<ClientName>(['cli', 'dashboard', 'slack']);

export function clientOf(req: IncomingMessage): ClientName {
  const raw = req.headers[CLIENT_HEADER];
  const name = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase();
  return name !== undefined && CLIENTS.has(name) ? (name as ClientName) : 'api';
}

/**
 * The actor behind a unix-socket request. Node exposes no SO_PEERCRED, but the socket is
 * created 0600, so the kernel lets only its owner (the daemon's user) and root connect:
 * the daemon's user is the peer in every case but root's.
 */
export function localActor(): string {
  try {
    return userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers): the uid is still a stable name.
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

export function unixCaller(req: IncomingMessage, actor: string): Caller {
  return { actor, client: clientOf(req), via: 'unix' };
}

export function tcpCaller(req: IncomingMessage): Caller {
  return { actor: 'token', client: clientOf(req), via: 'tcp' };
}
