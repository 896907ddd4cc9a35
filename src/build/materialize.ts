/**
 * Writes a snapshot into a directory and records what it wrote, for the source hash.
 *
 * Symlinks are written last, once every link of the snapshot is known, because whether a
 * link stays inside the tree depends on the links along its way (snapshot-entry.ts). Links
 * that would leave the tree are not written; they are returned so the build log says so.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WharfError } from '../errors.js';
import { isSafeRelativePath, symlinkStaysInside, type SnapshotEntry } from './snapshot-entry.js';
import { digestOf, type EntryRecord } from './source-hash.js';

export interface Materialized {
  records: EntryRecord[];
  /** Symlinks left out because they point outside the app folder: `path -> target`. */
  skippedLinks: string[];
}

export async function materialize(entries: AsyncIterable<SnapshotEntry>, dest: string): Promise<Materialized> {
  const records: EntryRecord[] = [];
  const links = new Map<string, string>();
  const made = new Set<string>();
  const ensureParent = async (path: string): Promise<void> => {
    const parent = dirname(path);
    if (parent === '.' || made.has(parent)) return;
    await mkdir(join(dest, parent), { recursive: true });
    made.add(parent);
  };

  for await (const entry of entries) {
    if (!isSafeRelativePath(entry.path)) {
      throw new WharfError('BAD_REQUEST', `refusing to snapshot the unsafe path ${JSON.stringify(entry.path)}`);
    }
    if (entry.kind === 'symlink') {
      links.set(entry.path, entry.data.toString('utf8'));
      continue;
    }
    await ensureParent(entry.path);
    await writeFile(join(dest, entry.path), entry.data, { mode: entry.kind === 'executable' ? 0o755 : 0o644, flag: 'wx' });
    records.push({ path: entry.path, kind: entry.kind, digest: digestOf(entry.data) });
  }

  const skippedLinks: string[] = [];
  for (const [path, target] of links) {
    if (!symlinkStaysInside(path, links)) {
      skippedLinks.push(`${path} -> ${target}`);
      continue;
    }
    await ensureParent(path);
    await symlink(target, join(dest, path));
    records.push({ path, kind: 'symlink', digest: digestOf(Buffer.from(target, 'utf8')) });
  }
  return { records, skippedLinks };
}
