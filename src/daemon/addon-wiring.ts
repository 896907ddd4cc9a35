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
 * The sealer is this branch's own AES-256-GCM key file; the config branch's keyring takes
 * its place on merge (it implements the same Sealer interface).
 */
export function wireAddons(store: Store, dataDir: string, now: () => number) {
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
    // The config branch adds the environment's own config (secrets) in front of this.
    resolveVariable: async (_app, _env, key) => process.env[key],
    now,
  });
  const backups = new AddonBackups({ store, manager, backupsDir: join(dataDir, DEFAULT_BACKUPS_DIR_NAME), now });
  const supervise = () => servers.supervise(DEFAULT_ADDON_SUPERVISE_INTERVAL_MS, (type, e) => console.error(`the managed ${type} server could not be started again: ${(e as Error).message}`));
  return { servers, manager, backups, supervise };
}
