/**
 * Helpers for the build tests: real temp folders and real git repositories.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeTree } from './tree-files.js';

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `wharf-${prefix}-`));
  return { path, remove: () => removeTree(path) };
}

/** Writes files (path → contents) under `root`, making folders as needed. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), contents);
  }
}

/** Runs git in `cwd` with a fixed identity and no global config, and returns its stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
    },
  });
}

/** A new repository in `dir` with a local identity, holding `files` in one commit. */
export async function initRepo(dir: string, files: Record<string, string>): Promise<void> {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Wharf Test');
  git(dir, 'config', 'user.email', 'test@wharf.invalid');
  await writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
}

/** A clock that moves one second each time it is read, so builds have distinct, ordered times. */
export function steppingClock(start = 1_800_000_000_000): { now(): number } {
  let t = start;
  return { now: () => (t += 1_000) };
}
