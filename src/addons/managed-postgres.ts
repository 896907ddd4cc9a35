/**
 * The PostgreSQL cluster Wharf manages: one per data dir, made with initdb from the
 * machine's binaries, listening on 127.0.0.1 on a free port (scram-sha-256 for every
 * login) and on a unix socket inside its data folder. Like app instances it outlives the
 * daemon: a new manager re-adopts the running postmaster by its postmaster.pid, and starts
 * the cluster again if it died.
 *
 * Layout under `<dataDir>/addons/postgres/` (root's, 0711):
 *   admin.sealed   the superuser's password, sealed (the daemon's, 0600)
 *   data/          PGDATA, owned by the add-on user (PostgreSQL refuses to run as root)
 *   data/wharf.conf  port and addresses, rewritten at each start
 *
 * Lifecycle: absent → initialised (initdb) → running (pg_ctl start) ⇄ stopped.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ADDON_SERVER_START_TIMEOUT_MS } from '../defaults.js';
import { WharfError } from '../errors.js';
import type { Identity } from '../runtime/app-user.js';
import { findPgBinaries, type PgBinaries } from './pg-binaries.js';
import type { Sealer } from './sealer.js';
import { ManagedServer, type ServerEndpoint } from './managed-server.js';
import { freePort, ownedDir, runTool } from './server-process.js';

export const PG_ADMIN_USER = 'wharf';
/** sun_path is 108 bytes on Linux (unix(7)); a longer socket path cannot be bound. */
const UNIX_PATH_MAX = 107;

export interface ManagedPostgresOptions {
  /** `<dataDir>/addons/postgres`. */
  dir: string;
  sealer: Sealer;
  /** Who the cluster runs as; required under root. */
  identity?: Identity | undefined;
  binaries?: PgBinaries;
}

export class ManagedPostgres extends ManagedServer {
  private readonly data: string;
  private readonly bin: PgBinaries;

  constructor(private readonly options: ManagedPostgresOptions) {
    // Stopped with SIGINT: PostgreSQL's fast shutdown (pg_ctl -m fast); SIGTERM would wait for every client.
    super(join(options.dir, 'data', 'postmaster.pid'), 'postgres', 'SIGINT');
    this.data = join(options.dir, 'data');
    this.bin = options.binaries ?? findPgBinaries();
  }

  protected async start(): Promise<ServerEndpoint> {
    if (process.getuid?.() === 0 && !this.options.identity) {
      throw new WharfError('INTERNAL', 'the managed PostgreSQL needs an unprivileged identity under root (PostgreSQL refuses to run as root)');
    }
    if (!existsSync(join(this.data, 'PG_VERSION'))) await this.init();
    const password = this.options.sealer.open(readFileSync(join(this.options.dir, 'admin.sealed'), 'utf8'), 'postgres-admin');
    const running = this.pid;
    if (running !== undefined) return { host: '127.0.0.1', port: this.runningPort(), user: PG_ADMIN_USER, password };
    const port = await freePort();
    this.writeSettings(port);
    const log = join(this.data, 'server.log');
    await runTool(this.bin.pgCtl, ['start', '-D', this.data, '-l', log, '-w', '-t', String(DEFAULT_ADDON_SERVER_START_TIMEOUT_MS / 1000), '-s'], {
      identity: this.options.identity,
    }).catch((e: unknown) => {
      throw new WharfError('TARGET_FAILED', `the managed PostgreSQL did not start: ${(e as Error).message}`, {
        hint: `Its log is ${log}.`,
        cause: e,
      });
    });
    return { host: '127.0.0.1', port, user: PG_ADMIN_USER, password };
  }

  /** initdb into a fresh folder; a half-made one from a crashed initdb is removed first. */
  private async init(): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o711 });
    rmSync(this.data, { recursive: true, force: true });
    ownedDir(this.data, this.options.identity);
    const password = randomBytes(24).toString('base64url');
    const pwfile = join(this.options.dir, 'initdb.pw');
    writeFileSync(pwfile, password + '\n', { mode: 0o644 });
    try {
      await runTool(this.bin.initdb, ['-D', this.data, '-U', PG_ADMIN_USER, `--pwfile=${pwfile}`, '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C'], {
        identity: this.options.identity,
      });
    } catch (e) {
      rmSync(this.data, { recursive: true, force: true });
      throw new WharfError('TARGET_FAILED', `initdb could not create the managed PostgreSQL cluster: ${(e as Error).message}`, {
        hint: 'The add-on user must be able to reach the data dir (each folder above it needs o+x).',
        cause: e,
      });
    } finally {
      rmSync(pwfile, { force: true });
    }
    appendFileSync(join(this.data, 'postgresql.conf'), "\n# Wharf: addresses and port, rewritten at each start.\ninclude_if_exists = 'wharf.conf'\n");
    writeFileSync(join(this.options.dir, 'admin.sealed'), this.options.sealer.seal(password, 'postgres-admin'), { mode: 0o600 });
  }

  private writeSettings(port: number): void {
    const socketFits = join(this.data, `.s.PGSQL.${port}`).length <= UNIX_PATH_MAX;
    const conf = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      // Without room for the socket path, TCP alone: Wharf itself always connects over TCP.
      `unix_socket_directories = '${socketFits ? this.data.replaceAll("'", "''") : ''}'`,
      // A failed CREATE/ALTER ROLE … PASSWORD must not put the password in server.log.
      "log_min_error_statement = 'panic'",
    ];
    const file = join(this.data, 'wharf.conf');
    writeFileSync(file, conf.join('\n') + '\n', { mode: 0o600 });
    if (this.options.identity) chownSync(file, this.options.identity.uid, this.options.identity.gid);
  }

  /** Line 4 of postmaster.pid is the port (PostgreSQL's pidfile.h, LOCK_FILE_LINE_PORT). */
  private runningPort(): number {
    return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[3]);
  }
}
