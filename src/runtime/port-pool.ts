/**
 * The pool instances get their PORT from. Picking is pure (`pickPort`); the pool adds the
 * one check only the machine can answer — is the port really free, or did something outside
 * Wharf take it? — and keeps which instance holds which port.
 *
 * Allocation goes round the range rather than reusing the lowest free port: a port released
 * a moment ago may still be in the router's table or in TIME_WAIT, and giving it to the next
 * instance at once would send the old instance's traffic to the new one.
 */
import { createServer } from 'node:net';
import { DEFAULT_INSTANCE_PORT_FIRST, DEFAULT_INSTANCE_PORT_LAST } from '../defaults.js';
import { WharfError } from '../errors.js';

export interface PortRange {
  first: number;
  last: number;
}

export const DEFAULT_PORT_RANGE: PortRange = { first: DEFAULT_INSTANCE_PORT_FIRST, last: DEFAULT_INSTANCE_PORT_LAST };

/** The first port at or after `from` (wrapping round the range) that is not in `taken`. */
export function pickPort(taken: ReadonlySet<number>, range: PortRange, from: number = range.first): number | undefined {
  const size = range.last - range.first + 1;
  const start = from < range.first || from > range.last ? range.first : from;
  for (let i = 0; i < size; i++) {
    const port = range.first + ((start - range.first + i) % size);
    if (!taken.has(port)) return port;
  }
  return undefined;
}

/** Whether a listening socket can be bound on the port (all interfaces, as an app would). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class PortPool {
  private readonly byInstance = new Map<string, number>();
  private next: number;

  /**
   * `start`: where the first search begins. A daemon passes a random one, so that several
   * Wharf daemons on one machine (tests, a second data dir) rarely race for the same port
   * between the free-port check and the app's own bind.
   */
  constructor(
    private readonly range: PortRange = DEFAULT_PORT_RANGE,
    private readonly isFree: (port: number) => Promise<boolean> = canBind,
    start: number = range.first,
  ) {
    this.next = start;
  }

  /** Records a port an instance already has (a re-adopted one keeps its port). */
  reserve(id: string, port: number): void {
    this.byInstance.set(id, port);
  }

  /** A free port for the instance (the same one if it already holds one). */
  async allocate(id: string): Promise<number> {
    const held = this.byInstance.get(id);
    if (held !== undefined) return held;
    const busy = new Set(this.byInstance.values());
    for (;;) {
      const port = pickPort(busy, this.range, this.next);
      if (port === undefined) {
        throw new WharfError('CONFLICT', `no free instance port in ${this.range.first}-${this.range.last}`, {
          hint: 'scale something down, or widen the instance port range',
        });
      }
      busy.add(port); // not picked again in this call, whatever the check says
      // Reserve before the async check, so a concurrent allocate cannot pick the same port.
      this.byInstance.set(id, port);
      if (await this.isFree(port)) {
        this.next = port + 1;
        return port;
      }
      this.byInstance.delete(id);
    }
  }

  release(id: string): void {
    this.byInstance.delete(id);
  }

  portOf(id: string): number | undefined {
    return this.byInstance.get(id);
  }
}
