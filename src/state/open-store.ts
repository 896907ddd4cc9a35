import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_STATE_FILE_NAME } from '../defaults.js';
import { WharfError } from '../errors.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/**
 * The Store the daemon uses: the embedded SQLite file `state.db` in the data dir, which
 * is created (mode 0700) if missing. The one place that chooses an implementation; a
 * PostgreSQL store will be chosen here too, by configuration.
 */
export async function openStore(dataDir: string): Promise<Store> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new WharfError('STATE_CORRUPT', `cannot create the data dir ${dataDir}: ${(e as Error).message}`, {
      hint: 'Choose a data dir the user running wharf can write (--data-dir), or fix the permissions of this one.',
      details: { dataDir },
      cause: e,
    });
  }
  return SqliteStore.open(join(dataDir, DEFAULT_STATE_FILE_NAME));
}
