/**
 * Where finished builds live: one directory per build id, sealed, holding its manifest,
 * its log and its tree. A build enters only whole, by one rename(2) from its staging
 * directory, which is atomic on one filesystem: a reader sees a whole build or none, and
 * when two builders publish the same id the first one stays and the second is dropped.
 *
 *   <buildsDir>/<id>/manifest.json   <buildsDir>/<id>/build.log   <buildsDir>/<id>/app/
 */
import { chmod, lstat, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '../errors.js';
import { LOG_FILE, MANIFEST_FILE, TREE_DIR, isBuildId, parseManifest, type Build, type BuildManifest } from './build-manifest.js';
import { removeTree, setTreeWritable } from './tree-files.js';

export class BuildShelf {
  constructor(private readonly buildsDir: string) {}

  /** The build with this id, or undefined if there is none. */
  async get(id: string): Promise<Build | undefined> {
    if (!isBuildId(id)) return undefined;
    const dir = join(this.buildsDir, id);
    let text: string;
    try {
      text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return { ...parseManifest(text, join(dir, MANIFEST_FILE)), dir: join(dir, TREE_DIR), logFile: join(dir, LOG_FILE) };
  }

  /** Every build, in no particular order. */
  async all(): Promise<Build[]> {
    let names: string[];
    try {
      names = await readdir(this.buildsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const builds = await Promise.all(names.filter(isBuildId).map((id) => this.get(id)));
    return builds.filter((build): build is Build => build !== undefined);
  }

  /**
   * Seals the staged build (`stage` holds the manifest, log and tree) and renames it into
   * place. Returns the build, and whether another builder had already published the same
   * id (then that build is returned and `stage` is left for the caller to remove).
   */
  async publish(stage: string, manifest: BuildManifest): Promise<{ build: Build; existed: boolean }> {
    for (const name of [TREE_DIR, LOG_FILE, MANIFEST_FILE]) await setTreeWritable(join(stage, name), false);
    const target = join(this.buildsDir, manifest.id);
    try {
      // rename(2) of a directory needs write permission on it (to update '..'): seal it after.
      await rename(stage, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      const winner = await this.get(manifest.id);
      if (winner === undefined) {
        throw new WharfError('STATE_CORRUPT', `${target} exists but holds no build manifest`, {
          hint: `remove ${target} and build again`,
        });
      }
      return { build: winner, existed: true };
    }
    await chmod(target, (await lstat(target)).mode & 0o1555);
    return { build: { ...manifest, dir: join(target, TREE_DIR), logFile: join(target, LOG_FILE) }, existed: false };
  }

  async remove(id: string): Promise<void> {
    if (isBuildId(id)) await removeTree(join(this.buildsDir, id));
  }
}
