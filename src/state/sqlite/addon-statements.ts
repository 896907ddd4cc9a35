import type { AddonRecord, AddonState, AddonType, BackupRecord } from '../types.js';
import { optionalJson, orNull, requiredJson } from './params.js';

/**
 * The add-on and backup tables (migration step 3): their SQL, and the mapping between
 * rows and records both ways, kept together as statements.ts, rows.ts and params.ts do
 * for the tables of step 1.
 */
export const ADDON_SQL = {
  putAddon: `
    INSERT INTO addons (app, env, name, type, mode, state, connection, admin_url_from, reason, created_at, updated_at)
    VALUES (@app, @env, @name, @type, @mode, @state, @connection, @admin_url_from, @reason, @created_at, @updated_at)
    ON CONFLICT (app, env, name) DO UPDATE SET
      type = excluded.type, mode = excluded.mode, state = excluded.state, connection = excluded.connection,
      admin_url_from = excluded.admin_url_from, reason = excluded.reason,
      created_at = excluded.created_at, updated_at = excluded.updated_at`,
  getAddon: 'SELECT * FROM addons WHERE app = @app AND env = @env AND name = @name',
  listAddons: (filters: readonly string[]) =>
    `SELECT * FROM addons WHERE ${filters.length ? filters.map((c) => `${c} = @${c}`).join(' AND ') : '1'} ORDER BY app, env, name`,
  deleteAddon: 'DELETE FROM addons WHERE app = @app AND env = @env AND name = @name',

  putBackup: `
    INSERT INTO backups (id, app, env, addon, type, file, sha256, size_bytes, counts, created_at, verification)
    VALUES (@id, @app, @env, @addon, @type, @file, @sha256, @size_bytes, @counts, @created_at, @verification)
    ON CONFLICT (id) DO UPDATE SET
      app = excluded.app, env = excluded.env, addon = excluded.addon, type = excluded.type, file = excluded.file,
      sha256 = excluded.sha256, size_bytes = excluded.size_bytes, counts = excluded.counts,
      created_at = excluded.created_at, verification = excluded.verification`,
  getBackup: 'SELECT * FROM backups WHERE id = @id',
  listBackups: 'SELECT * FROM backups WHERE app = @app AND env = @env AND addon = @addon ORDER BY created_at DESC, id DESC',
} as const;

export interface AddonRow {
  app: string;
  env: string;
  name: string;
  type: AddonType;
  mode: AddonRecord['mode'];
  state: AddonState;
  connection: string;
  admin_url_from: string | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface BackupRow {
  id: string;
  app: string;
  env: string;
  addon: string;
  type: AddonType;
  file: string;
  sha256: string;
  size_bytes: number;
  counts: string;
  created_at: number;
  verification: string | null;
}

export function addonParams(a: AddonRecord): AddonRow {
  return {
    app: a.app,
    env: a.env,
    name: a.name,
    type: a.type,
    mode: a.mode,
    state: a.state,
    connection: requiredJson(a.connection, `the connection of add-on ${a.name}`),
    admin_url_from: orNull(a.adminUrlFrom),
    reason: orNull(a.reason),
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

export function addonRecord(row: AddonRow): AddonRecord {
  return {
    app: row.app,
    env: row.env,
    name: row.name,
    type: row.type,
    mode: row.mode,
    state: row.state,
    connection: JSON.parse(row.connection) as AddonRecord['connection'],
    ...(row.admin_url_from === null ? {} : { adminUrlFrom: row.admin_url_from }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function backupParams(b: BackupRecord): BackupRow {
  return {
    id: b.id,
    app: b.app,
    env: b.env,
    addon: b.addon,
    type: b.type,
    file: b.file,
    sha256: b.sha256,
    size_bytes: b.sizeBytes,
    counts: requiredJson(b.counts, `the counts of backup ${b.id}`),
    created_at: b.createdAt,
    verification: optionalJson(b.verification),
  };
}

export function backupRecord(row: BackupRow): BackupRecord {
  return {
    id: row.id,
    app: row.app,
    env: row.env,
    addon: row.addon,
    type: row.type,
    file: row.file,
    sha256: row.sha256,
    sizeBytes: row.size_bytes,
    counts: JSON.parse(row.counts) as Record<string, number>,
    createdAt: row.created_at,
    ...(row.verification === null ? {} : { verification: JSON.parse(row.verification) as NonNullable<BackupRecord['verification']> }),
  };
}
