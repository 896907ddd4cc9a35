/**
 * The daemon's client of a router's admin socket. One connection, opened on first use and
 * re-opened after the router restarts; requests are matched to answers by id.
 *
 *   const router = new RouterAdminClient('/var/lib/wharf/router.sock');
 *   await router.pushTable(table);
 *   const m = await router.metrics();
 */
import net from 'node:net';
import { WharfError, type ErrorCode } from '../errors.js';
import { lineReader, type AdminEvent, type AdminOp, type AdminResponse } from './admin-protocol.js';
import type { DrainEvent } from './drain.js';
import type { DemandEvent } from './hold-queue.js';
import type { MetricsSnapshot } from './metrics.js';
import type { Table } from './table.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface AdminClientOptions {
  /** Longest wait for an answer. @default 10000 */
  timeoutMs?: number;
}

export class RouterAdminClient {
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly timeoutMs: number;

  constructor(
    readonly socketPath: string,
    options: AdminClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Validates, persists and applies `table`; refused tables throw SPEC_INVALID and the old one stays. */
  pushTable(table: Table): Promise<{ generation: number }> {
    return this.call('pushTable', table) as Promise<{ generation: number }>;
  }

  getTable(): Promise<Table> {
    return this.call('getTable') as Promise<Table>;
  }

  metrics(): Promise<MetricsSnapshot> {
    return this.call('metrics') as Promise<MetricsSnapshot>;
  }

  /** Drains finished since the last call; each event is returned once. */
  drainEvents(): Promise<DrainEvent[]> {
    return this.call('drainEvents') as Promise<DrainEvent[]>;
  }

  /** Zero-downtime restart: a new router process takes over the listening sockets. Resolves with its pid. */
  async restart(): Promise<{ pid: number }> {
    const r = (await this.call('restart')) as { pid: number };
    this.close(); // the old process no longer serves the admin socket
    return r;
  }

  /**
   * Calls `listener` for each drain as it finishes, over a dedicated connection. Returns a
   * function that stops the subscription. Events that happen while not subscribed are still
   * available from drainEvents().
   */
  async subscribe(listener: (e: DrainEvent) => void, onDemand?: (e: DemandEvent) => void): Promise<() => void> {
    const s = await connect(this.socketPath);
    s.on('error', () => {});
    s.on(
      'data',
      lineReader(
        (line) => {
          const msg = JSON.parse(line) as AdminEvent | AdminResponse;
          if (!('event' in msg)) return;
          if (msg.event === 'drain') listener(msg.data);
          else if (msg.event === 'demand') onDemand?.(msg.data);
        },
        () => s.destroy(),
      ),
    );
    s.write(JSON.stringify({ id: 1, op: 'subscribe' }) + '\n');
    return () => s.destroy();
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.connecting = undefined;
  }

  private async call(op: AdminOp, table?: unknown): Promise<unknown> {
    const s = await this.connection();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new WharfError('ROUTER_UNREACHABLE', `router admin socket ${this.socketPath} did not answer ${op} in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      s.write(JSON.stringify(table === undefined ? { id, op } : { id, op, table }) + '\n');
    });
  }

  private connection(): Promise<net.Socket> {
    if (this.socket !== undefined && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= connect(this.socketPath).then(
      (s) => {
        this.socket = s;
        this.connecting = undefined;
        s.on('data', lineReader((line) => this.answer(line), () => s.destroy()));
        s.on('error', () => {});
        s.on('close', () => {
          if (this.socket === s) this.socket = undefined;
          for (const [id, p] of this.pending) {
            this.pending.delete(id);
            p.reject(new WharfError('ROUTER_UNREACHABLE', `router admin connection closed before answering`));
          }
        });
        return s;
      },
      (e: unknown) => {
        this.connecting = undefined;
        throw new WharfError('ROUTER_UNREACHABLE', `cannot reach the router at ${this.socketPath}`, {
          cause: e,
          hint: 'is the router running? `wharf router` starts it',
        });
      },
    );
    return this.connecting;
  }

  private answer(line: string): void {
    const msg = JSON.parse(line) as AdminResponse;
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new WharfError(msg.error.code as ErrorCode, msg.error.message, { hint: msg.error.hint, details: msg.error.details }));
  }
}

function connect(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}
