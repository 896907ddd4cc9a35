/**
 * Header rewriting at the proxy boundary.
 *
 * Hop-by-hop fields belong to one connection and are never forwarded (RFC 9110 §7.6.1):
 * Connection and every field it names, plus Keep-Alive, Proxy-Connection, TE, Trailer,
 * Transfer-Encoding and Upgrade. The router re-frames bodies itself on each side.
 */
import { randomUUID } from 'node:crypto';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request ids we accept from clients: short and printable, so logs cannot be forged or flooded. */
const REQUEST_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;

export function requestIdOf(value: string | string[] | undefined): string {
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : randomUUID();
}

/** Field names listed in Connection (RFC 9110 §7.6.1), lower-cased; empty when none. */
function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') {
      for (const t of raw[i + 1]!.split(',')) {
        const name = t.trim().toLowerCase();
        if (name !== '' && name !== 'close' && name !== 'keep-alive') (out ??= new Set()).add(name);
      }
    }
  }
  return out;
}

export interface ForwardInfo {
  clientIp: string;
  proto: 'http' | 'https';
  requestId: string;
  /** Keep Upgrade/Connection for a WebSocket hand-shake (the tunnel is end to end after it). */
  upgrade?: boolean;
}

/**
 * Request fields for the instance, as header lines (`Name: value\r\n` each). X-Forwarded-For is
 * appended to (the de-facto convention nginx's $proxy_add_x_forwarded_for follows);
 * X-Forwarded-Proto and -Host are set by the router alone, since it is the edge.
 */
export function upstreamRequestHeaders(raw: readonly string[], f: ForwardInfo): string {
  const named = connectionTokens(raw);
  let out = '';
  let xff: string | undefined;
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'host') host = raw[i + 1];
    if (lower === 'x-forwarded-for') {
      xff = xff === undefined ? raw[i + 1] : `${xff}, ${raw[i + 1]}`;
      continue;
    }
    if (lower === 'x-forwarded-proto' || lower === 'x-forwarded-host' || lower === 'x-request-id') continue;
    if (HOP_BY_HOP.has(lower) || named?.has(lower)) {
      if (f.upgrade === true && (lower === 'upgrade' || lower === 'connection')) out += `${name}: ${raw[i + 1]!}\r\n`;
      continue;
    }
    if (lower === 'expect') continue; // the router's server already answered 100-continue
    out += `${name}: ${raw[i + 1]!}\r\n`;
  }
  out += `X-Forwarded-For: ${xff === undefined ? f.clientIp : `${xff}, ${f.clientIp}`}\r\nX-Forwarded-Proto: ${f.proto}\r\n`;
  if (host !== undefined) out += `X-Forwarded-Host: ${host}\r\n`;
  return out + `X-Request-Id: ${f.requestId}\r\n`;
}

/** Response fields for the client: the instance's, minus hop-by-hop ones. */
export function downstreamResponseHeaders(raw: readonly string[]): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/** Whether a request carries a body (RFC 9112 §6.3): Transfer-Encoding, or Content-Length above 0. */
export function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const cl = headers['content-length'];
  return cl !== undefined && cl !== '0';
}

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4), if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
