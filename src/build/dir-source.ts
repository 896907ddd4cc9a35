/**
 * The snapshot of an app folder that is not a git checkout: every file, less what
 * `.gitignore` and `.wharfignore` (in any directory) exclude, like git would see it.
 *
 * The walk uses lstat and never descends into a symlink, so a link to a directory outside
 * the folder cannot pull the host into the build; the link itself is reported as a symlink
 * and the materializer decides whether it stays inside. Sockets, FIFOs and devices are not
 * source and are skipped, as git skips them.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { IgnoreRules, PLAIN_IGNORE_FILES } from './ignore-rules.js';
import { kindFromMode, type SnapshotEntry } from './snapshot-entry.js';

export async function* directoryEntries(root: string): AsyncGenerator<SnapshotEntry> {
  const rules = new IgnoreRules();
  yield* walk(root, '', rules);
}

async function* walk(root: string, dir: string, rules: IgnoreRules): AsyncGenerator<SnapshotEntry> {
  const absolute = dir === '' ? root : join(root, dir);
  const names = (await readdir(absolute)).sort();
  for (const name of PLAIN_IGNORE_FILES) {
    if (!names.includes(name)) continue;
    const stat = await lstat(join(absolute, name));
    if (stat.isFile()) rules.add(dir, await readFile(join(absolute, name), 'utf8'));
  }
  for (const name of names) {
    const path = dir === '' ? name : `${dir}/${name}`;
    const stat = await lstat(join(root, path));
    if (stat.isDirectory()) {
      if (!rules.excludes(path, true)) yield* walk(root, path, rules);
    } else if (rules.excludes(path, false)) {
      continue;
    } else if (stat.isSymbolicLink()) {
      yield { path, kind: 'symlink', data: Buffer.from(await readlink(join(root, path)), 'utf8') };
    } else if (stat.isFile()) {
      yield { path, kind: kindFromMode(stat.mode), data: await readFile(join(root, path)) };
    }
  }
}
