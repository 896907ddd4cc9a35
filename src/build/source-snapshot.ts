/**
 * Chooses how to take an app folder's source: git's committed tree (or working tree, when
 * asked) in a git checkout, else a copy of the folder honouring its ignore files.
 */
import { stat } from 'node:fs/promises';
import { WharfError } from '../errors.js';
import { directoryEntries } from './dir-source.js';
import { committedEntries, gitHead, workingEntries } from './git-source.js';
import type { SnapshotEntry } from './snapshot-entry.js';

export interface SourceSnapshot {
  origin: 'git' | 'directory';
  /** HEAD's commit, in a git checkout that has one. */
  commit?: string | undefined;
  /** True when uncommitted changes were asked for and taken (a git checkout only). */
  uncommitted: boolean;
  entries: AsyncIterable<SnapshotEntry>;
}

export interface SnapshotOptions {
  includeUncommitted: boolean;
  /** Environment for git: the caller removes anything that would redirect it (GIT_DIR …). */
  gitEnv: NodeJS.ProcessEnv;
}

export async function takeSnapshot(dir: string, options: SnapshotOptions): Promise<SourceSnapshot> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    throw new WharfError('BAD_REQUEST', `the app folder ${dir} does not exist or is not a folder`);
  }
  const ctx = { cwd: dir, env: options.gitEnv };
  const head = await gitHead(ctx);
  if (head === undefined) return { origin: 'directory', uncommitted: false, entries: directoryEntries(dir) };
  if (options.includeUncommitted) {
    return { origin: 'git', commit: head ?? undefined, uncommitted: true, entries: workingEntries(ctx) };
  }
  if (head === null) {
    throw new WharfError('BUILD_FAILED', `${dir} is in a git repository that has no commit yet`, {
      hint: 'commit the app, or build the working tree with --include-uncommitted',
    });
  }
  return { origin: 'git', commit: head, uncommitted: false, entries: committedEntries(ctx) };
}
