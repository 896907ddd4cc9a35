/**
 * Where Wharf logs in to administer an add-on's server: its own managed server, or an
 * external one from an admin URL. The URL is read at each use and never recorded.
 */
import { WharfError } from '../errors.js';
import type { AddonType } from '../state/types.js';

export interface AdminEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  /** PostgreSQL: the database the admin connects to (`postgres` unless the URL names one). */
  database?: string | undefined;
}

const SCHEMES: Record<AddonType, readonly string[]> = { postgres: ['postgres:', 'postgresql:'], redis: ['redis:'] };
const DEFAULT_PORTS: Record<AddonType, number> = { postgres: 5432, redis: 6379 };

/** Parses an external admin URL; the error names the variable, never the URL (it holds a password). */
export function parseAdminUrl(type: AddonType, raw: string, from: string): AdminEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WharfError('BAD_REQUEST', `${from} does not hold a URL`, { hint: `Set it to ${example(type)}.` });
  }
  if (!SCHEMES[type].includes(url.protocol)) {
    throw new WharfError('BAD_REQUEST', `${from} holds a ${url.protocol.replace(':', '')} URL; a ${type} add-on needs ${SCHEMES[type][0]}//…`, { hint: `Set it to ${example(type)}.` });
  }
  if (!url.username || !url.password) {
    throw new WharfError('BAD_REQUEST', `${from} must name the admin user and password`, { hint: `Set it to ${example(type)}.` });
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : DEFAULT_PORTS[type],
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...(type === 'postgres' ? { database: database || 'postgres' } : {}),
  };
}

function example(type: AddonType): string {
  return type === 'postgres' ? 'postgres://ADMIN:PASSWORD@HOST:5432/postgres' : 'redis://ADMIN:PASSWORD@HOST:6379';
}

/** A connection URL, with each part percent-encoded (RFC 3986 §3.2.1). */
export function connectionUrl(scheme: 'postgres' | 'redis', e: { host: string; port: number; user: string; password: string }, path: string): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${scheme}://${encodeURIComponent(e.user)}:${encodeURIComponent(e.password)}@${host}:${e.port}/${encodeURIComponent(path)}`;
}
