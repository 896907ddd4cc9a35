/**
 * Redis backups, per add-on prefix (an RDB file would hold every environment's keys): each
 * key's DUMP payload, type and remaining TTL, written as JSON lines under a header.
 *
 * The keys are listed with SCAN, then all their DUMP/PTTL/TYPE run in one MULTI/EXEC, which
 * Redis executes as one step: the values are a point-in-time copy of the listed keys (a key
 * created between the SCAN and the EXEC is left for the next backup).
 *
 * Loading runs in one MULTI/EXEC too, so other clients never see half a restore. RESTORE
 * checks each payload's own CRC64 and RDB version, so a damaged dump is refused by Redis.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { WharfError } from '../errors.js';
import type { AdminEndpoint } from './endpoint.js';
import { scanPrefix, withRedis } from './redis-admin.js';
import { RedisReplyError, text, type Reply } from './resp-client.js';

const FORMAT = 'wharf-redis-keys/1';

interface KeyLine {
  /** The key without its prefix, base64. */
  k: string;
  /** Milliseconds left to live; 0 for none (RESTORE's "no expiry"). */
  t: number;
  /** The DUMP payload, base64. */
  v: string;
  /** The key's type, for the counts. */
  y: string;
}

/** Writes the keys under `prefix` to `file`; resolves the keys per type. */
export async function dumpRedis(admin: AdminEndpoint, prefix: string, file: string): Promise<Record<string, number>> {
  return withRedis(admin, async (c) => {
    const keys = await scanPrefix(c, prefix);
    await c.call('MULTI');
    for (const key of keys) {
      await c.send(['TYPE', key]);
      await c.send(['PTTL', key]);
      await c.send(['DUMP', key]);
    }
    const replies = (await c.call('EXEC')) as Reply[];
    const lines: string[] = [JSON.stringify({ format: FORMAT, prefix })];
    const counts: Record<string, number> = {};
    keys.forEach((key, i) => {
      const [type, pttl, payload] = replies.slice(3 * i, 3 * i + 3);
      if (payload === null || type === 'none') return; // deleted between SCAN and EXEC
      const y = text(type!);
      counts[y] = (counts[y] ?? 0) + 1;
      const line: KeyLine = { k: key.subarray(Buffer.byteLength(prefix)).toString('base64'), t: Math.max(0, Number(pttl)), v: (payload as Buffer).toString('base64'), y };
      lines.push(JSON.stringify(line));
    });
    const partial = `${file}.partial`;
    writeFileSync(partial, lines.join('\n') + '\n', { mode: 0o600 });
    renameSync(partial, file);
    return counts;
  });
}

/**
 * Loads `file` under `prefix` in one transaction; with `replace`, the keys already under the
 * prefix go first, so the prefix holds exactly the backup afterwards.
 */
export async function loadRedis(admin: AdminEndpoint, file: string, prefix: string, replace: boolean): Promise<void> {
  const entries = readKeyLines(file);
  await withRedis(admin, async (c) => {
    const existing = replace ? await scanPrefix(c, prefix) : [];
    await c.call('MULTI');
    if (existing.length) await c.send(['UNLINK', ...existing]);
    for (const e of entries) await c.send(['RESTORE', Buffer.concat([Buffer.from(prefix), Buffer.from(e.k, 'base64')]), e.t, Buffer.from(e.v, 'base64'), 'REPLACE']);
    const replies = (await c.call('EXEC')) as Reply[];
    const refused = replies.find((r) => r instanceof RedisReplyError);
    if (refused) throw new WharfError('BACKUP_CORRUPT', `Redis refused a key of ${file}: ${(refused as RedisReplyError).message}`);
  });
}

/** Keys per type under `prefix`. */
export async function countRedis(admin: AdminEndpoint, prefix: string): Promise<Record<string, number>> {
  return withRedis(admin, async (c) => {
    const counts: Record<string, number> = {};
    for (const key of await scanPrefix(c, prefix)) {
      const type = text(await c.call('TYPE', key));
      if (type !== 'none') counts[type] = (counts[type] ?? 0) + 1;
    }
    return counts;
  });
}

function readKeyLines(file: string): KeyLine[] {
  const [header, ...rest] = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const bad = (why: string) => new WharfError('BACKUP_CORRUPT', `${file} is not a Wharf Redis backup: ${why}`);
  try {
    if ((JSON.parse(header ?? '{}') as { format?: string }).format !== FORMAT) throw bad(`its header is not ${FORMAT}`);
    return rest.map((l) => JSON.parse(l) as KeyLine);
  } catch (e) {
    throw e instanceof WharfError ? e : bad((e as Error).message);
  }
}
