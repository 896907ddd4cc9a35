/**
 * What Wharf does on a Redis server for an add-on.
 *
 * Isolation is an ACL user per add-on confined to a key prefix and the same channel prefix
 * (`~prefix* &prefix*`), rather than a database number: database numbers are few (16 by
 * default), carry no credentials of their own (any client may SELECT another), and pub/sub
 * ignores them. An ACL user is checked by the server on every command, so one
 * environment's credentials cannot read or write another's keys. Commands that reach
 * past a prefix (KEYS, FLUSHALL, CONFIG, DEBUG, …: the @dangerous category) are denied,
 * with the few harmless ones client libraries call at connect allowed back.
 */
import { WharfError } from '../errors.js';
import type { AdminEndpoint } from './endpoint.js';
import { RedisReplyError, RespClient, text, type Reply } from './resp-client.js';

const ALLOWED_BACK = ['+info', '+client|setname', '+client|getname', '+client|id', '+client|info'];

export async function withRedis<T>(e: AdminEndpoint, fn: (c: RespClient) => Promise<T>): Promise<T> {
  let client: RespClient;
  try {
    client = await RespClient.connect({ host: e.host, port: e.port, user: e.user, password: e.password });
  } catch (err) {
    throw redisFailure(err, `Redis at ${e.host}:${e.port}`);
  }
  try {
    return await fn(client);
  } catch (err) {
    throw redisFailure(err, `Redis at ${e.host}:${e.port}`);
  } finally {
    client.close();
  }
}

/** The add-on's user, on, with `password`, confined to `prefix`. Re-running it resets the user to exactly this. */
export async function provisionRedis(admin: AdminEndpoint, user: string, password: string, prefix: string): Promise<void> {
  await withRedis(admin, async (c) => {
    await c.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, `~${globEscape(prefix)}*`, `&${globEscape(prefix)}*`, '+@all', '-@dangerous', ...ALLOWED_BACK);
    await saveAcl(c);
  });
}

/** The user off and its connections closed; its keys stay. */
export async function detachRedis(admin: AdminEndpoint, user: string): Promise<void> {
  await withRedis(admin, async (c) => {
    const users = (await c.call('ACL', 'USERS')) as Reply[];
    if (!users.map(text).includes(user)) return;
    await c.call('ACL', 'SETUSER', user, 'off');
    await c.call('CLIENT', 'KILL', 'USER', user);
    await saveAcl(c);
  });
}

/** Deletes every key under the prefix, then the user. */
export async function purgeRedis(admin: AdminEndpoint, user: string, prefix: string): Promise<void> {
  await deletePrefix(admin, prefix);
  await withRedis(admin, async (c) => {
    await c.call('ACL', 'DELUSER', user);
    await saveAcl(c);
  });
}

export async function deletePrefix(admin: AdminEndpoint, prefix: string): Promise<void> {
  await withRedis(admin, async (c) => {
    const keys = await scanPrefix(c, prefix);
    for (let i = 0; i < keys.length; i += 500) await c.call('UNLINK', ...keys.slice(i, i + 500));
  });
}

/** Every key under `prefix`, by SCAN (never KEYS, which blocks the server on a large keyspace). */
export async function scanPrefix(c: RespClient, prefix: string): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await c.call('SCAN', cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000)) as [Reply, Reply[]];
    cursor = text(next);
    keys.push(...(batch as Buffer[]));
  } while (cursor !== '0');
  return keys;
}

/** ACL changes are kept across restarts by the managed server's aclfile; an external server may have none. */
async function saveAcl(c: RespClient): Promise<void> {
  try {
    await c.call('ACL', 'SAVE');
  } catch (e) {
    if (!(e instanceof RedisReplyError && /not configured to use an ACL file/i.test(e.message))) throw e;
  }
}

/** Escapes glob metacharacters (Redis' stringmatchlen: * ? [ ] \) so a prefix matches literally. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (ch) => `\\${ch}`);
}

export function redisFailure(e: unknown, where: string): WharfError {
  if (e instanceof WharfError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code ?? '';
  const gone = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code) || /closed|timed out/.test(message);
  return new WharfError('TARGET_FAILED', `${where}: ${message}`, {
    ...(gone ? { hint: 'The server went away; once it runs again, retry.' } : {}),
    details: { code },
    cause: e,
  });
}
