/**
 * Wharf's own add-on servers, made on first need: an app without add-ons never runs
 * initdb. Supervision re-adopts a running server and starts a dead one again, for every
 * server that was ever made in this data dir.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../runtime/app-user.js';
import type { AddonType } from '../state/types.js';
import type { AdminEndpoint } from './endpoint.js';
import { ManagedPostgres } from './managed-postgres.js';
import { ManagedRedis } from './managed-redis.js';
import type { PgBinaries } from './pg-binaries.js';
import type { Sealer } from './sealer.js';

/** The manager's view of the managed servers. */
export interface AddonServers {
  /** The admin endpoint of Wharf's own server of `type`, running (started if it was not). */
  managed(type: AddonType): Promise<AdminEndpoint>;
}

export interface ManagedServersOptions {
  /** `<dataDir>/addons`. */
  dir: string;
  sealer: Sealer;
  identity?: Identity | undefined;
  binaries?: PgBinaries;
}

export class ManagedServers implements AddonServers {
  private pg: ManagedPostgres | undefined;
  private rd: ManagedRedis | undefined;

  constructor(private readonly options: ManagedServersOptions) {}

  get postgres(): ManagedPostgres {
    const { dir, sealer, identity, binaries } = this.options;
    return (this.pg ??= new ManagedPostgres({ dir: join(dir, 'postgres'), sealer, identity, ...(binaries ? { binaries } : {}) }));
  }

  get redis(): ManagedRedis {
    const { dir, sealer, identity } = this.options;
    return (this.rd ??= new ManagedRedis({ dir: join(dir, 'redis'), sealer, identity }));
  }

  async managed(type: AddonType): Promise<AdminEndpoint> {
    if (type === 'redis') return this.redis.ensureRunning();
    return { ...(await this.postgres.ensureRunning()), database: 'postgres' };
  }

  /** Types whose server was made here (it has a sealed admin password). */
  made(): AddonType[] {
    return (['postgres', 'redis'] as const).filter((t) => existsSync(join(this.options.dir, t, 'admin.sealed')));
  }

  /**
   * Adopts or starts every server made here; resolves what happened to each, for the
   * daemon's start-up line. A server that cannot start is reported, not thrown: the
   * daemon and the apps without that add-on must still come up.
   */
  async recover(): Promise<Partial<Record<AddonType, { pid: number | undefined; error?: string }>>> {
    const result: Partial<Record<AddonType, { pid: number | undefined; error?: string }>> = {};
    for (const type of this.made()) {
      try {
        await this.managed(type);
        result[type] = { pid: this.pidOf(type) };
      } catch (e) {
        result[type] = { pid: undefined, error: (e as Error).message };
      }
    }
    return result;
  }

  /** Checks every `intervalMs` that the servers run, starting a dead one; returns the stop function. */
  supervise(intervalMs: number, onError: (type: AddonType, e: unknown) => void): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        for (const type of this.made()) await this.managed(type).catch((e: unknown) => onError(type, e));
      })().finally(() => (busy = false));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  pidOf(type: AddonType): number | undefined {
    return type === 'postgres' ? this.postgres.pid : this.redis.pid;
  }
}
