/**
 * Where the machine's PostgreSQL server tools are. Debian keeps initdb, pg_ctl and postgres
 * in /usr/lib/postgresql/<major>/bin and puts only the client tools on PATH, so both places
 * are searched; the newest major wins, and the client tools come from the same folder so
 * pg_dump is never older than the server it dumps.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WharfError } from '../errors.js';

export interface PgBinaries {
  initdb: string;
  pgCtl: string;
  pgDump: string;
  pgRestore: string;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

export function findPgBinaries(env: NodeJS.ProcessEnv = process.env): PgBinaries {
  const dirs: string[] = [];
  if (existsSync(DEBIAN_ROOT)) {
    const majors = readdirSync(DEBIAN_ROOT).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((m) => join(DEBIAN_ROOT, m, 'bin')));
  }
  dirs.push(...(env['PATH'] ?? '').split(':').filter(Boolean));
  const dir = dirs.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!dir) {
    throw new WharfError('TARGET_FAILED', 'PostgreSQL\'s server tools (initdb, pg_ctl) are not installed', {
      hint: 'Install them (Debian: `apt-get install postgresql`), or give the add-on an external server (addons.NAME.external).',
    });
  }
  const tool = (name: string) => [dir, ...dirs].map((d) => join(d, name)).find((f) => existsSync(f)) ?? name;
  return { initdb: join(dir, 'initdb'), pgCtl: join(dir, 'pg_ctl'), pgDump: tool('pg_dump'), pgRestore: tool('pg_restore') };
}
