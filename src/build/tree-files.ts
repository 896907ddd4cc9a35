/**
 * Whole-tree file operations a build needs: sealing it read-only once finished, measuring
 * it, and removing it again (which needs write permission back first, unless root).
 * Symlinks are never followed: their mode is meaningless on Linux and their target may be
 * anywhere.
 */
import { chmod, lchown, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const WRITE_BITS = 0o222;
const OWNER_WRITE = 0o200;
/**
 * Set-user-ID and set-group-ID bits. A build command run by a root daemon could leave a
 * setuid-root program in the artifact that the unprivileged app user could then run; a
 * sealed build never carries them.
 */
const SETID_BITS = 0o6000;

/** Makes every file and directory under `root` (and `root` itself) read-only and never setuid, or writable by its owner again. */
export async function setTreeWritable(root: string, writable: boolean): Promise<void> {
  const stat = await lstat(root);
  if (stat.isSymbolicLink()) return;
  const mode = stat.mode & 0o7777;
  const wanted = writable ? mode | OWNER_WRITE : mode & ~(WRITE_BITS | SETID_BITS);
  // A directory is opened up before its children are visited and closed after them.
  if (writable && wanted !== mode) await chmod(root, wanted);
  if (stat.isDirectory()) {
    for (const name of await readdir(root)) await setTreeWritable(join(root, name), writable);
  }
  if (!writable && wanted !== mode) await chmod(root, wanted);
}

/** Gives every file, directory and symlink under `root` (and `root` itself) to `uid`:`gid`. */
export async function chownTree(root: string, uid: number, gid: number): Promise<void> {
  const stat = await lstat(root);
  if (stat.uid !== uid || stat.gid !== gid) await lchown(root, uid, gid);
  if (stat.isDirectory()) {
    for (const name of await readdir(root)) await chownTree(join(root, name), uid, gid);
  }
}

export interface TreeSize {
  bytes: number;
  files: number;
}

/** Bytes and count of regular files and symlinks under `root` (apparent sizes, as `du -b`). */
export async function treeSize(root: string): Promise<TreeSize> {
  const total: TreeSize = { bytes: 0, files: 0 };
  const visit = async (path: string): Promise<void> => {
    const stat = await lstat(path);
    if (stat.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    } else {
      total.bytes += stat.size;
      total.files += 1;
    }
  };
  await visit(root);
  return total;
}

/** Removes a tree, read-only or not; a tree that is already gone is not an error. */
export async function removeTree(root: string): Promise<void> {
  try {
    await setTreeWritable(root, true);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rm(root, { recursive: true, force: true });
}
