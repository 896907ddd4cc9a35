/**
 * The admin socket's protocol: newline-delimited JSON over a unix socket (mode 0600, so only
 * the daemon's user can drive the router). Each request carries an id echoed in its answer;
 * a `subscribe` connection then also receives `{ "event": … }` lines.
 */
import type { DrainEvent } from './drain.js';
import type { DemandEvent } from './hold-queue.js';
import type { MetricsSnapshot } from './metrics.js';
import type { Table } from './table.js';

export interface AdminOps {
  pushTable(table: unknown): Promise<{ generation: number }>;
  getTable(): Table;
  metrics(): MetricsSnapshot;
  /** Drain events since the last call (each is returned once). */
  drainEvents(): DrainEvent[];
  /** Hands the listening sockets to a new router process; resolves with its pid. */
  restart(): Promise<{ pid: number }>;
  /** Registers a drain listener; returns the function that removes it. */
  onDrain(listener: (e: DrainEvent) => void): () => void;
  /** Registers a listener for demand on held routes; returns the function that removes it. */
  onDemand(listener: (e: DemandEvent) => void): () => void;
}

export type AdminOp = 'pushTable' | 'getTable' | 'metrics' | 'drainEvents' | 'restart' | 'subscribe';

export interface AdminRequest {
  id: number;
  op: AdminOp;
  table?: unknown;
}

export type AdminResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string; hint?: string; details?: unknown } };

export type AdminEvent = { event: 'drain'; data: DrainEvent } | { event: 'demand'; data: DemandEvent };

/** A pushed table can be large (thousands of instances); anything beyond this is refused. */
export const MAX_ADMIN_LINE_BYTES = 32 * 1024 * 1024;

/** Splits a byte stream into lines; calls `onLine` for each complete one. */
export function lineReader(onLine: (line: string) => void, onTooLong: () => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() !== '') onLine(line);
    }
    if (pending.length > MAX_ADMIN_LINE_BYTES) {
      pending = '';
      onTooLong();
    }
  };
}
