/**
 * Backups of add-ons, verified: a dump with its checksum and counts, a verification that
 * restores it into scratch and compares, and a restore that checks the checksum first.
 * A failed verification is loud: a failed verification on the record, an
 * `addon.backup.failed` event, and a BACKUP_VERIFY_FAILED error (a non-zero exit).
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { WharfError, asWharfError } from '../errors.js';
import type { Store } from '../state/store.js';
import type { BackupRecord } from '../state/types.js';
import type { AddonManager } from './addon-manager.js';
import { backupFolder, backupId, checkBackupFile, countDifferences, fileSize, sha256File } from './backup-files.js';

export interface AddonBackupsDeps {
  store: Store;
  manager: AddonManager;
  /** `<dataDir>/backups`. */
  backupsDir: string;
  now: () => number;
}

export class AddonBackups {
  constructor(private readonly deps: AddonBackupsDeps) {}

  async backup(app: string, env: string, name: string, options: { verify?: boolean } = {}): Promise<BackupRecord> {
    const { store, manager, now } = this.deps;
    const { record, engine, admin, conn } = await manager.access(app, env, name);
    const createdAt = now();
    const id = backupId(createdAt);
    const file = join(backupFolder(this.deps.backupsDir, record), `${id}.${record.type === 'postgres' ? 'dump' : 'keys'}`);
    let counts: Record<string, number>;
    try {
      counts = await engine.dump(admin, conn, record.state === 'attached', file);
    } catch (e) {
      rmSync(file, { force: true });
      const err = asWharfError(e, 'TARGET_FAILED');
      await manager.event(record, 'addon.backup.failed', `backup of add-on ${name} failed: ${err.message}`);
      throw err;
    }
    const backup: BackupRecord = { id, app, env, addon: name, type: record.type, file, sha256: await sha256File(file), sizeBytes: fileSize(file), counts, createdAt };
    await store.putBackup(backup);
    await manager.event(record, 'addon.backup.created', `backup ${id} of add-on ${name}: ${describeCounts(counts)}, ${backup.sizeBytes} bytes`, { backup: id });
    return options.verify ? this.verify(id) : backup;
  }

  /** Restores into scratch (dropped afterwards) and compares counts; records the outcome either way. */
  async verify(id: string): Promise<BackupRecord> {
    const { store, manager, now } = this.deps;
    const backup = await this.get(id);
    const { record, engine, admin } = await manager.access(backup.app, backup.env, backup.addon);
    let failure: WharfError | undefined;
    try {
      await checkBackupFile(backup);
      const differences = countDifferences(backup.counts, await engine.scratchCounts(admin, record.connection, backup.file, id));
      if (differences.length) failure = new WharfError('BACKUP_VERIFY_FAILED', `backup ${id} did not restore as recorded: ${differences.join('; ')}`);
    } catch (e) {
      const err = asWharfError(e, 'BACKUP_VERIFY_FAILED');
      failure = err.code === 'BACKUP_CORRUPT' || err.code === 'BACKUP_VERIFY_FAILED' ? err : new WharfError('BACKUP_VERIFY_FAILED', `backup ${id} could not be restored: ${err.message}`, { cause: e });
    }
    const verified: BackupRecord = { ...backup, verification: { ok: !failure, at: now(), message: failure ? failure.message : `restored into scratch: ${describeCounts(backup.counts)}, as recorded` } };
    await store.putBackup(verified);
    if (failure) {
      await manager.event(record, 'addon.backup.failed', `VERIFICATION FAILED for backup ${id} of add-on ${backup.addon}: ${failure.message}`, { backup: id });
      throw new WharfError(failure.code, failure.message, { hint: failure.hint ?? 'Take a new backup and verify it; do not rely on this one.', details: { backup: id } });
    }
    await manager.event(record, 'addon.backup.verified', `backup ${id} of add-on ${backup.addon} verified: ${describeCounts(backup.counts)}`, { backup: id });
    return verified;
  }

  /** Replaces the add-on's data with the backup's; nothing changes unless the file checks out and restores as recorded. */
  async restore(app: string, env: string, name: string, id: string): Promise<{ backup: BackupRecord; kept?: string }> {
    const { manager } = this.deps;
    const backup = await this.get(id);
    if (backup.app !== app || backup.addon !== name) {
      throw new WharfError('BAD_REQUEST', `backup ${id} is of ${backup.app}/${backup.env}/${backup.addon}, not of add-on ${name} of ${app}`, { hint: `List this add-on's backups: \`wharf addons backups ${name} -e ${env}\`.` });
    }
    const { record, engine, admin, conn } = await manager.access(app, env, name);
    if (record.state !== 'attached') {
      throw new WharfError('CONFLICT', `add-on ${name} of ${app}/${env} is ${record.state}; restore into an attached add-on`, { hint: `Attach it again by applying the spec: \`wharf apply -e ${env}\`.` });
    }
    if (backup.type !== record.type) throw new WharfError('BAD_REQUEST', `backup ${id} is a ${backup.type} backup; add-on ${name} is ${record.type}`);
    try {
      await checkBackupFile(backup);
      const { kept } = await engine.restore(admin, conn, backup.file, id, backup.counts);
      await manager.event(record, 'addon.restored', `add-on ${name} restored from backup ${id}${kept ? `; the replaced data is kept as database ${kept}` : ''}`, { backup: id, kept });
      return { backup, ...(kept ? { kept } : {}) };
    } catch (e) {
      const err = asWharfError(e, 'TARGET_FAILED');
      await manager.event(record, 'addon.restore.failed', `restore of add-on ${name} from backup ${id} failed, its data is unchanged: ${err.message}`, { backup: id });
      throw err;
    }
  }

  async list(app: string, env: string, name: string): Promise<BackupRecord[]> {
    return this.deps.store.listBackups(app, env, name);
  }

  /**
   * `wharf env clone --with-data`: a fresh backup of the source add-on, restored into the
   * target environment's add-on (provisioned already, with the same name).
   */
  async copyData(app: string, fromEnv: string, toEnv: string, addon: string): Promise<BackupRecord> {
    const backup = await this.backup(app, fromEnv, addon);
    const { record, engine, admin, conn } = await this.deps.manager.access(app, toEnv, addon);
    await checkBackupFile(backup);
    await engine.restore(admin, conn, backup.file, backup.id, backup.counts);
    await this.deps.manager.event(record, 'addon.restored', `add-on ${addon} loaded from ${fromEnv} (backup ${backup.id})`, { backup: backup.id, from: fromEnv });
    return backup;
  }

  private async get(id: string): Promise<BackupRecord> {
    const backup = await this.deps.store.getBackup(id);
    if (!backup) throw new WharfError('NOT_FOUND', `there is no backup ${id}`, { hint: 'List an add-on\'s backups: `wharf addons backups NAME`.' });
    return backup;
  }
}

function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  if (!entries.length) return 'empty';
  const total = entries.reduce((n, [, c]) => n + c, 0);
  return `${entries.length} ${entries.length === 1 ? 'table/type' : 'tables/types'}, ${total} rows/keys`;
}
