/**
 * One file of a source snapshot, whichever way it was taken (git's committed tree, git's
 * working tree, or a plain folder). Only what git itself records is kept: the path, whether
 * the file is executable or a symlink, and the bytes. Owners, times and other mode bits are
 * not part of a source, so they are not part of its hash either.
 */
export type EntryKind = 'file' | 'executable' | 'symlink';

export interface SnapshotEntry {
  /** Relative to the app folder, '/'-separated, never '..' or absolute. */
  path: string;
  kind: EntryKind;
  /** The contents; for a symlink, its target. */
  data: Buffer;
}

/** Git's mode for each kind (git's index format), which is also what the source hash records. */
export const ENTRY_MODE: Readonly<Record<EntryKind, string>> = {
  file: '100644',
  executable: '100755',
  symlink: '120000',
};

/** The kind git would record for a file with these `stat` mode bits: executable if the owner may run it. */
export function kindFromMode(mode: number): EntryKind {
  return (mode & 0o100) !== 0 ? 'executable' : 'file';
}

/** A path a snapshot may write: relative, normalised, inside the app folder. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Linux's MAXSYMLINKS: more hops than this is a loop. */
const MAX_SYMLINK_HOPS = 40;

/**
 * Whether the symlink at `path` resolves inside the tree, following the snapshot's other
 * `links` (path → target) the way the kernel would. A build must never reach outside its
 * source (a link to `/etc` or `../../secrets` would carry the host into the artifact).
 * Resolving lexically is not enough: with `x/y/s -> ../../z`, the link `L -> x/y/s/../..`
 * looks like `x` but really leaves the tree, so links inside the target are followed.
 */
export function symlinkStaysInside(path: string, links: ReadonlyMap<string, string>): boolean {
  const own = links.get(path);
  if (own === undefined || own === '' || own.startsWith('/')) return false;
  const resolved = path.split('/').slice(0, -1);
  const pending = own.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.length === 0) return false;
      resolved.pop();
      continue;
    }
    const target = links.get([...resolved, part].join('/'));
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    hops += 1;
    if (hops > MAX_SYMLINK_HOPS || target.startsWith('/')) return false;
    pending.unshift(...target.split('/'));
  }
  return true;
}
