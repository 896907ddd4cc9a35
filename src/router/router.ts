/**
 * One router: the served table and its admin operations (push, read, figures, drains).
 * Sockets and processes are elsewhere (front-servers.ts, handoff.ts, bin.ts), so this is
 * what a test or an embedding process drives directly.
 */
import { WharfError } from '../errors.js';
import type { AccessLog } from './access-log.js';
import type { DrainEvent } from './drain.js';
import type { HealthListener } from './health-checker.js';
import type { DemandEvent } from './hold-queue.js';
import { snapshot, RouterCounters, type MetricsSnapshot } from './metrics.js';
import { Proxy } from './proxy.js';
import { RouterState } from './router-state.js';
import { validateTable, type Table } from './table.js';
import type { TableStore } from './table-store.js';
import { TlsContexts } from './tls-contexts.js';

export interface RouterOptions {
  store?: TableStore;
  log?: AccessLog;
  /** Told of health changes, e.g. to write them to stderr. */
  onHealthChange?: HealthListener;
}

export class Router {
  readonly state: RouterState;
  readonly counters = new RouterCounters();
  readonly tls = new TlsContexts();
  readonly proxy: Proxy;
  /** Set during a hand-off: the old process answers with `Connection: close` so clients move. */
  closing = false;
  private readonly drainListeners = new Set<(e: DrainEvent) => void>();
  private readonly demandListeners = new Set<(e: DemandEvent) => void>();

  constructor(private readonly o: RouterOptions = {}) {
    this.state = new RouterState(o.onHealthChange);
    this.state.drains.listener = (e) => {
      for (const l of this.drainListeners) l(e);
    };
    this.state.demandListener = (e) => {
      for (const l of this.demandListeners) l(e);
    };
    this.proxy = new Proxy({ state: this.state, log: o.log, counters: this.counters, closing: () => this.closing });
  }

  private pushing: Promise<unknown> = Promise.resolve();

  /** Serves the persisted table (if any). Throws STATE_CORRUPT for an unreadable one. */
  restore(): void {
    if (this.o.store === undefined) return;
    const t = this.o.store.load();
    this.tls.load(t.certificates ?? []);
    this.state.apply(t);
  }

  /**
   * Validates, persists, then applies — in that order, so the disk never holds a table the
   * router refused and a crash after the write restores what was acknowledged.
   */
  pushTable(x: unknown): Promise<{ generation: number }> {
    // One push at a time, in the order they came: a push waits on the disk (asynchronously,
    // so requests keep flowing) and a later one must not be applied before it.
    const next = this.pushing.then(() => this.applyPush(x));
    this.pushing = next.catch(() => undefined);
    return next;
  }

  private async applyPush(x: unknown): Promise<{ generation: number }> {
    const table = validateTable(x);
    const current = this.state.table.generation;
    if (table.generation < current) {
      throw new WharfError('CONFLICT', `route table generation ${table.generation} is older than the one served (${current})`, {
        hint: 'the daemon must push increasing generations',
      });
    }
    this.tls.load(table.certificates ?? []);
    await this.o.store?.save(table);
    this.state.apply(table);
    return { generation: table.generation };
  }

  getTable(): Table {
    return this.state.table;
  }

  metrics(): MetricsSnapshot {
    return snapshot(this.state, this.counters);
  }

  drainEvents(): DrainEvent[] {
    return this.state.drains.take();
  }

  onDrain(listener: (e: DrainEvent) => void): () => void {
    this.drainListeners.add(listener);
    return () => this.drainListeners.delete(listener);
  }

  /** Told when requests wait on a held route (a service at zero): the daemon starts an instance. */
  onDemand(listener: (e: DemandEvent) => void): () => void {
    this.demandListeners.add(listener);
    return () => this.demandListeners.delete(listener);
  }

  stop(): void {
    this.state.stop();
  }
}
