/**
 * Real add-on servers for tests: a temp data dir with Wharf's own PostgreSQL and Redis
 * (initdb/pg_ctl and redis-server on free loopback ports), a real SQLite store, and the
 * manager wired over them. `stop()` stops both servers by pid; call it from `after`.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ADDON_USER } from '../defaults.js';
import { ensureAppUser } from '../runtime/app-user.js';
import { SqliteStore } from '../state/sqlite/sqlite-store.js';
import type { Store } from '../state/store.js';
import { AddonBackups } from './addon-backups.js';
import { AddonManager, type AddonManagerDeps } from './addon-manager.js';
import { ManagedServers } from './addon-servers.js';
import { findPgBinaries } from './pg-binaries.js';
import { PostgresEngine } from './postgres-engine.js';
import { RedisEngine } from './redis-engine.js';
import { AesGcmSealer } from './sealer.js';

export interface AddonRig {
  dataDir: string;
  store: Store;
  servers: ManagedServers;
  manager: AddonManager;
  backups: AddonBackups;
  /** Variables external add-ons' admin URLs are read from. */
  variables: Map<string, string>;
  /** A manager over the same data dir and store, as a restarted daemon makes. */
  remake(overrides?: Partial<AddonManagerDeps>): { servers: ManagedServers; manager: AddonManager; backups: AddonBackups };
  stop(): Promise<void>;
}

export function addonRig(overrides: Partial<AddonManagerDeps> = {}): AddonRig {
  const dataDir = mkdtempSync(join(tmpdir(), 'wharf-addons-'));
  // The add-on user (under root) must pass through the data dir, as the daemon's 0711 allows.
  chmodSync(dataDir, 0o711);
  const store = SqliteStore.open(join(dataDir, 'state.db'));
  const variables = new Map<string, string>();
  const identity = process.getuid?.() === 0 ? ensureAppUser(DEFAULT_ADDON_USER) : undefined;
  const binaries = findPgBinaries();
  const made: ManagedServers[] = [];
  const remake = (more: Partial<AddonManagerDeps> = {}) => {
    const sealer = AesGcmSealer.fromKeyFile(join(dataDir, 'addons.key'));
    const servers = new ManagedServers({ dir: join(dataDir, 'addons'), sealer, identity, binaries });
    made.push(servers);
    const manager = new AddonManager({
      store,
      sealer,
      servers,
      engines: { postgres: new PostgresEngine(binaries), redis: new RedisEngine() },
      resolveVariable: async (_app, _env, key) => variables.get(key),
      now: Date.now,
      ...overrides,
      ...more,
    });
    return { servers, manager, backups: new AddonBackups({ store, manager, backupsDir: join(dataDir, 'backups'), now: Date.now }) };
  };
  const first = remake();
  return {
    dataDir,
    store,
    variables,
    ...first,
    remake,
    async stop() {
      // Every manager made over this dir shares the servers: stopping by the pid files stops each once.
      for (const s of made) {
        await s.postgres.stop();
        await s.redis.stop();
      }
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Records the app and environments, as apply does before provisioning. */
export async function seedEnvironments(store: Store, app: string, ...envs: string[]): Promise<void> {
  await store.ensureApp(app, Date.now());
  for (const name of envs) await store.ensureEnvironment({ app, name, createdAt: Date.now() });
}
