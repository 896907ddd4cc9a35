/**
 * WebSocket (and any other HTTP/1.1 Upgrade) pass-through: the hand-shake request is written
 * to the chosen instance, then bytes flow both ways untouched until either side closes
 * (RFC 9110 §7.8, RFC 6455 §4.1). The instance's 101 answer reaches the client as sent.
 */
import net from 'node:net';
import { rawErrorResponse } from './error-page.js';
import type { FrontRequest } from './front-message.js';
import { requestIdOf, upstreamRequestHeaders } from './headers.js';
import type { RouterState } from './router-state.js';

export function tunnel(state: RouterState, req: FrontRequest, client: net.Socket, head: Buffer, proto: 'http' | 'https'): void {
  const requestId = requestIdOf(req.headers['x-request-id']);
  client.on('error', () => client.destroy());
  const route = state.match(req.headers.host, req.url);
  const pick = route?.pick(undefined, undefined, Math.random);
  if (route === undefined || pick === undefined) {
    client.end(rawErrorResponse(route === undefined ? 404 : 503, requestId));
    return;
  }
  const b = pick.instance;
  b.begin();
  route.stats.inFlight++;
  let ended = false;
  const end = (status: number): void => {
    if (ended) return;
    ended = true;
    route.stats.inFlight--;
    b.end();
    const now = Date.now();
    b.stats.finish(status, 0, now);
    route.stats.finish(status, 0, now);
  };
  const up = net.connect({ host: b.host, port: b.port });
  up.setNoDelay(true);
  const timer = setTimeout(() => up.destroy(new Error('connect timeout')), route.limits.connectTimeoutMs);
  up.once('connect', () => {
    clearTimeout(timer);
    const remote = client.remoteAddress ?? '';
    const h = upstreamRequestHeaders(req.rawHeaders, { clientIp: remote, proto, requestId, upgrade: true });
    up.write(`${req.method} ${req.url} HTTP/1.1\r\n${h}\r\n`, 'latin1');
    if (head.length > 0) up.write(head);
    up.pipe(client);
    client.pipe(up);
  });
  up.on('error', () => {
    clearTimeout(timer);
    if (up.bytesRead === 0 && !client.destroyed) {
      client.end(rawErrorResponse(502, requestId));
      return end(502);
    }
    client.destroy();
  });
  up.on('close', () => {
    client.destroy();
    end(101);
  });
  client.on('close', () => {
    up.destroy();
    end(101);
  });
}
