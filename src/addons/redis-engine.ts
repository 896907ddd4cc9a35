import { WharfError } from '../errors.js';
import { countDifferences } from './backup-files.js';
import { connectionUrl, type AdminEndpoint } from './endpoint.js';
import type { AddonEngine, Location, OpenConnection } from './engine.js';
import { redisPrefix, redisUser, type AddonAddress } from './names.js';
import { deletePrefix, detachRedis, provisionRedis, purgeRedis, withRedis } from './redis-admin.js';
import { text } from './resp-client.js';
import { countRedis, dumpRedis, loadRedis } from './redis-backup.js';

/** Redis add-ons: an ACL user confined to its key prefix (redis-admin.ts says why). */
export class RedisEngine implements AddonEngine {
  readonly type = 'redis' as const;

  locate(a: AddonAddress, server: AdminEndpoint) {
    return { host: server.host, port: server.port, user: redisUser(a), keyPrefix: redisPrefix(a) };
  }

  /** From INFO's server section (`redis_version:7.0.15`). */
  version(admin: AdminEndpoint): Promise<string> {
    return withRedis(admin, async (c) => /^redis_version:(\S+)/m.exec(text(await c.call('INFO', 'server')))?.[1] ?? 'unknown');
  }

  provision(admin: AdminEndpoint, conn: OpenConnection): Promise<void> {
    return provisionRedis(admin, conn.user, conn.password, prefix(conn));
  }

  detach(admin: AdminEndpoint, conn: Location): Promise<void> {
    return detachRedis(admin, conn.user);
  }

  purge(admin: AdminEndpoint, conn: Location): Promise<void> {
    return purgeRedis(admin, conn.user, prefix(conn));
  }

  /** Database 0: isolation is by prefix, and every user sees the same numbered databases. */
  vars(conn: OpenConnection) {
    return { url: connectionUrl('redis', conn, '0'), extra: { KEY_PREFIX: prefix(conn) } };
  }

  dump(admin: AdminEndpoint, conn: OpenConnection, _attached: boolean, file: string): Promise<Record<string, number>> {
    return dumpRedis(admin, prefix(conn), file);
  }

  /** Loads under a scratch prefix outside every add-on's (`wharf-verify:`), counts, and deletes it. */
  async scratchCounts(admin: AdminEndpoint, _conn: Location, file: string, id: string): Promise<Record<string, number>> {
    const scratch = `wharf-verify:${id}:`;
    try {
      await loadRedis(admin, file, scratch, true);
      return await countRedis(admin, scratch);
    } finally {
      await deletePrefix(admin, scratch);
    }
  }

  /** A scratch load first proves every payload restores with the recorded counts; only then is the prefix replaced, in one transaction. */
  async restore(admin: AdminEndpoint, conn: OpenConnection, file: string, id: string, expected: Record<string, number>): Promise<{ kept?: string }> {
    const differences = countDifferences(expected, await this.scratchCounts(admin, conn, file, id));
    if (differences.length) throw new WharfError('BACKUP_VERIFY_FAILED', `backup ${id} did not restore as recorded: ${differences.join('; ')}`);
    await loadRedis(admin, file, prefix(conn), true);
    return {};
  }
}

function prefix(conn: Pick<Location, 'keyPrefix'>): string {
  if (!conn.keyPrefix) throw new WharfError('STATE_CORRUPT', 'a Redis add-on record has no key prefix');
  return conn.keyPrefix;
}
