import { join } from 'node:path';
import { AddonBackups } from '../addons/addon-backups.js';
import { AddonManager } from '../addons/addon-manager.js';
import { ManagedServers } from '../addons/addon-servers.js';
import { findPgBinaries, type PgBinaries } from '../addons/pg-binaries.js';
import { PostgresEngine } from '../addons/postgres-engine.js';
import { RedisEngine } from '../addons/redis-engine.js';
import { AesGcmSealer } from '../addons/sealer.js';
import { DEFAULT_ADDON_SUPERVISE_INTERVAL_MS, DEFAULT_ADDON_USER, DEFAULT_BACKUPS_DIR_NAME } from '../defaults.js';
import { ensureAppUser } from '../runtime/app-user.js';
import type { Store } from '../state/store.js';

/**
 * The add-on components, wired: the managed servers (run as their own unprivileged user
 * under root, apart from the app user, so apps cannot read the servers' files), the
 * manager and the backups.
 *
 * Add-on passwords are sealed with their own AES-256-GCM key file (`addons.key`, 0600),
 * apart from the config master key: `wharf secrets rotate-key` does not rotate it yet.
 */
export function wireAddons(store: Store, dataDir: string, now: () => number, variable: (app: string, env: string, key: string) => Promise<string | undefined>) {
  const sealer = AesGcmSealer.fromKeyFile(join(dataDir, 'addons.key'));
  const identity = process.getuid?.() === 0 ? ensureAppUser(DEFAULT_ADDON_USER) : undefined;
  // Without PostgreSQL's server tools, Redis and external add-ons still work; a managed
  // PostgreSQL add-on then fails with the install hint.
  let binaries: PgBinaries | undefined;
  try {
    binaries = findPgBinaries();
  } catch {
    binaries = undefined;
  }
  const servers = new ManagedServers({ dir: join(dataDir, 'addons'), sealer, identity, ...(binaries ? { binaries } : {}) });
  const manager = new AddonManager({
    store,
    sealer,
    servers,
    engines: { postgres: new PostgresEngine(binaries ?? { pgDump: 'pg_dump', pgRestore: 'pg_restore' }), redis: new RedisEngine() },
    // The environment's own config (a secret, typically) first, then the daemon's environment.
    resolveVariable: async (app, env, key) => (await variable(app, env, key)) ?? process.env[key],
    now,
  });
  const backups = new AddonBackups({ store, manager, backupsDir: join(dataDir, DEFAULT_BACKUPS_DIR_NAME), now });
  const supervise = () => servers.supervise(DEFAULT_ADDON_SUPERVISE_INTERVAL_MS, (type, e) => console.error(`the managed ${type} server could not be started again: ${(e as Error).message}`));
  return { servers, manager, backups, supervise };
}
