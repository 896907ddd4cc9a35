/**
 * Private directories where builds are made before they are renamed into place. They live
 * inside the builds directory so the rename stays on one filesystem (rename(2) is atomic
 * only there). Each is named after the process that made it, so a later collection can
 * tell one left by a builder that died (its process is gone) from one still in use.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeTree } from './tree-files.js';

export class StagingArea {
  constructor(
    private readonly root: string,
    private readonly pid: number = process.pid,
  ) {}

  /** A new, empty staging directory. */
  async create(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const dir = join(this.root, `${this.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(dir);
    return dir;
  }

  /** Removes staging directories whose process no longer runs; returns how many. */
  async removeAbandoned(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const pid = Number(name.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && processIsGone(pid)) {
        await removeTree(join(this.root, name));
        removed += 1;
      }
    }
    return removed;
  }
}

/** Signal 0 checks for existence only; EPERM means it exists but belongs to someone else. */
function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
