/**
 * The redis-server Wharf manages: one per data dir, on 127.0.0.1 and a free port, with a
 * unix socket in its folder, supervised like the PostgreSQL cluster (re-adopted by its pid
 * file, started again if it died). The `default` user is switched off, so every connection
 * must log in as an ACL user: `wharf` (the administrator) or one add-on's confined user.
 *
 * Layout under `<dataDir>/addons/redis/` (root's, 0711):
 *   admin.sealed   the administrator's password, sealed
 *   data/          owned by the add-on user: redis.conf (rewritten at each start), users.acl
 *                  (ACL SAVE keeps it), appendonly files, dump.rdb, redis.pid, redis.log
 */
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ADDON_SERVER_START_TIMEOUT_MS } from '../defaults.js';
import { WharfError } from '../errors.js';
import type { Identity } from '../runtime/app-user.js';
import { RespClient } from './resp-client.js';
import type { Sealer } from './sealer.js';
import { ManagedServer, type ServerEndpoint } from './managed-server.js';
import { freePort, ownedDir, runTool, waitFor } from './server-process.js';

export const REDIS_ADMIN_USER = 'wharf';
/**
 * `off` with no password: no connection can log in as `default`, so every one must AUTH.
 * Its permissions stay full because Redis 7.0 replays MULTI/EXEC from the append-only file
 * with the default user's permissions: with `-@all` every transaction in the file (the
 * restores) fails to load after a restart.
 */
const DEFAULT_USER_LINE = 'user default off resetpass ~* &* +@all';
const UNIX_PATH_MAX = 107;

export interface ManagedRedisOptions {
  /** `<dataDir>/addons/redis`. */
  dir: string;
  sealer: Sealer;
  identity?: Identity | undefined;
  /** @default "redis-server" on PATH */
  serverBin?: string;
}

export class ManagedRedis extends ManagedServer {
  private readonly data: string;

  constructor(private readonly options: ManagedRedisOptions) {
    // SIGTERM: redis-server saves and exits cleanly.
    super(join(options.dir, 'data', 'redis.pid'), 'redis-server', 'SIGTERM');
    this.data = join(options.dir, 'data');
  }

  protected async start(): Promise<ServerEndpoint> {
    const sealedFile = join(this.options.dir, 'admin.sealed');
    if (!existsSync(sealedFile)) this.init(sealedFile);
    const password = this.options.sealer.open(readFileSync(sealedFile, 'utf8'), 'redis-admin');
    if (this.pid !== undefined) return { host: '127.0.0.1', port: this.runningPort(), user: REDIS_ADMIN_USER, password };
    this.keepDefaultUserOff();
    const port = await freePort();
    const conf = this.writeConfig(port);
    await runTool(this.options.serverBin ?? 'redis-server', [conf], { identity: this.options.identity }).catch((e: unknown) => {
      throw new WharfError('TARGET_FAILED', `the managed Redis did not start: ${(e as Error).message}`, {
        hint: `Is redis-server installed (Debian: \`apt-get install redis-server\`)? Its log is ${join(this.data, 'redis.log')}.`,
        cause: e,
      });
    });
    const endpoint = { host: '127.0.0.1', port, user: REDIS_ADMIN_USER, password };
    // daemonize: the command returns before the server listens; ready is when the admin can log in.
    await waitFor(() => ping(endpoint), DEFAULT_ADDON_SERVER_START_TIMEOUT_MS, () =>
      new WharfError('TARGET_FAILED', `the managed Redis did not accept connections on port ${port}`, { hint: `Its log is ${join(this.data, 'redis.log')}.` }),
    );
    return endpoint;
  }

  /** First start: the ACL file with the administrator and the default user off. */
  private init(sealedFile: string): void {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o711 });
    ownedDir(this.data, this.options.identity);
    const password = randomBytes(24).toString('base64url');
    // ACL files take the SHA-256 of a password after "#" (redis.io, ACL rules: #<hash>).
    const hash = createHash('sha256').update(password).digest('hex');
    this.ownedFile('users.acl', `${DEFAULT_USER_LINE}\nuser ${REDIS_ADMIN_USER} on #${hash} ~* &* +@all\n`);
    writeFileSync(sealedFile, this.options.sealer.seal(password, 'redis-admin'), { mode: 0o600 });
  }

  /** Rewrites the default user's line of an ACL file made by an older Wharf (ACL SAVE keeps every other line). */
  private keepDefaultUserOff(): void {
    const file = join(this.data, 'users.acl');
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('user default '));
    this.ownedFile('users.acl', [DEFAULT_USER_LINE, ...lines].join('\n') + '\n');
  }

  private writeConfig(port: number): string {
    const socket = join(this.data, 'redis.sock');
    const lines = [
      'bind 127.0.0.1',
      `port ${port}`,
      ...(socket.length <= UNIX_PATH_MAX ? [`unixsocket ${socket}`, 'unixsocketperm 700'] : []),
      'daemonize yes',
      `pidfile ${join(this.data, 'redis.pid')}`,
      `logfile ${join(this.data, 'redis.log')}`,
      `dir ${this.data}`,
      `aclfile ${join(this.data, 'users.acl')}`,
      // Every write is logged and fsynced each second, as Heroku Redis runs; RDB snapshots too.
      'appendonly yes',
      'appendfsync everysec',
      'save 3600 1 300 100 60 10000',
      'protected-mode yes',
    ];
    return this.ownedFile('redis.conf', lines.join('\n') + '\n');
  }

  private ownedFile(name: string, content: string): string {
    const file = join(this.data, name);
    writeFileSync(file, content, { mode: 0o600 });
    if (this.options.identity) chownSync(file, this.options.identity.uid, this.options.identity.gid);
    return file;
  }

  private runningPort(): number {
    const match = /^port (\d+)$/m.exec(readFileSync(join(this.data, 'redis.conf'), 'utf8'));
    return Number(match?.[1]);
  }
}

async function ping(endpoint: ServerEndpoint): Promise<true | undefined> {
  try {
    const client = await RespClient.connect({ ...endpoint, connectTimeoutMs: 1_000 });
    try {
      await client.call('PING');
      return true;
    } finally {
      client.close();
    }
  } catch {
    return undefined;
  }
}
