/**
 * Backup files: where they go, their ids, and their checksum. A backup is written to a
 * temporary name and renamed once complete, so a file under its final name is whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WharfError } from '../errors.js';
import type { BackupRecord } from '../state/types.js';
import type { AddonAddress } from './names.js';

/** `b` + creation time (base 36, so ids sort by time) + 6 random hex digits. */
export function backupId(now: number): string {
  return `b${now.toString(36)}${randomBytes(3).toString('hex')}`;
}

/** `<backupsDir>/<app>/<env>/<addon>/`, made 0700: dumps hold the app's data. */
export function backupFolder(backupsDir: string, a: AddonAddress): string {
  const dir = join(backupsDir, a.app, a.env, a.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export function fileSize(file: string): number {
  return statSync(file).size;
}

/** Refuses a backup whose file is missing or no longer has its recorded checksum. */
export async function checkBackupFile(b: BackupRecord): Promise<void> {
  let actual: string;
  try {
    actual = await sha256File(b.file);
  } catch (e) {
    throw new WharfError('BACKUP_CORRUPT', `backup ${b.id}: its file ${b.file} cannot be read`, { hint: 'Restore from another backup (`wharf addons backups NAME`).', cause: e });
  }
  if (actual !== b.sha256) {
    throw new WharfError('BACKUP_CORRUPT', `backup ${b.id}: ${b.file} does not match its checksum (sha256 ${actual.slice(0, 12)}…, recorded ${b.sha256.slice(0, 12)}…)`, {
      hint: 'The file was changed or damaged after the backup; use another backup (`wharf addons backups NAME`).',
      details: { backup: b.id, expected: b.sha256, actual },
    });
  }
}

/** Compares the counts of a restore with the backup's; the differences, described, or [] when equal. */
export function countDifferences(expected: Record<string, number>, actual: Record<string, number>): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return names
    .filter((n) => expected[n] !== actual[n])
    .map((n) => `${n}: ${expected[n] ?? 'absent'} in the backup, ${actual[n] ?? 'absent'} restored`);
}
