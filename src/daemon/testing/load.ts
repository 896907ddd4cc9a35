import { Agent, get } from 'node:http';
import { createServer } from 'node:net';

export interface LoadResult {
  ok: number;
  failed: number;
  /** Bodies of the 200 answers, as a set: which releases served. */
  bodies: Set<string>;
  /** One line per failed request: status and body, or the socket error. */
  errors: string[];
}

/**
 * Keeps `clients` keep-alive clients requesting `host` through the router on loopback until
 * stopped, and counts every answer: the zero-failure checks of deploys and restarts.
 */
export function load(port: number, host: string, clients = 8): { stop: () => Promise<LoadResult> } {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  let running = true;
  const result: LoadResult = { ok: 0, failed: 0, bodies: new Set(), errors: [] };
  const one = () =>
    new Promise<void>((resolve) => {
      get({ host: '127.0.0.1', port, path: '/', agent, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          if (res.statusCode === 200) (result.ok++, result.bodies.add(body));
          else (result.failed++, result.errors.push(`${res.statusCode} ${body.slice(0, 80)}`));
          resolve();
        });
      }).on('error', (e) => (result.failed++, result.errors.push(e.message), resolve()));
    });
  const loops = Array.from({ length: clients }, async () => {
    while (running) await one();
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

/** A loopback port free now (the router binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Kills each process group (or process) by pid; gone ones are skipped. */
export function killAll(pids: Iterable<number | undefined>): void {
  for (const pid of pids) {
    if (!pid) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
