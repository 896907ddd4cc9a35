/**
 * The listening sockets, by name (`http`, `https`, `metrics`). Each only accepts and hands
 * the connection on; the servers that speak HTTP are elsewhere (front-servers.ts). A
 * listener is either bound here or inherited from the previous router process in a hand-off.
 */
import net from 'node:net';
import type { HostPort } from './args.js';

export type ListenerName = 'http' | 'https' | 'metrics';

export class Listeners {
  private readonly servers = new Map<ListenerName, net.Server>();

  constructor(private readonly onConnection: Record<ListenerName, (s: net.Socket) => void>) {}

  listen(name: ListenerName, at: HostPort): Promise<void> {
    // Same socket options as node:http's own server: half-open allowed (HTTP decides), no Nagle delay.
    const server = net.createServer({ allowHalfOpen: true, noDelay: true });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: at.host, port: at.port, backlog: 4096 }, () => {
        server.off('error', reject);
        this.adopt(name, server);
        resolve();
      });
    });
  }

  /** Takes over a listener (one received from the previous process over IPC). */
  adopt(name: ListenerName, server: net.Server): void {
    // A server received over IPC is built with net's defaults; give its sockets the same options.
    Object.assign(server, { allowHalfOpen: true, noDelay: true });
    server.on('connection', this.onConnection[name]);
    server.on('error', (e) => process.stderr.write(`router: ${name} listener: ${e.message}\n`));
    this.servers.set(name, server);
  }

  all(): [ListenerName, net.Server][] {
    return [...this.servers];
  }

  address(name: ListenerName): string | undefined {
    const a = this.servers.get(name)?.address();
    if (a === null || a === undefined || typeof a === 'string') return a ?? undefined;
    return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  }

  /** Stops accepting; connections already accepted are not touched. */
  closeAll(): void {
    for (const s of this.servers.values()) s.close();
  }
}
