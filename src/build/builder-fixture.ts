/**
 * Test fixture for the Builder: a scratch folder holding, per test, a fresh builds folder
 * and a committed app repository, with helpers to commit more and to watch processes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, type BuildRequest } from './builder.js';
import { git, initRepo, steppingClock, writeFiles } from './testing.js';
import { removeTree } from './tree-files.js';

export interface BuilderFixture {
  buildsDir: string;
  /** The app's git repository. */
  app: string;
  /** A builder with a stepping clock and a host environment holding a daemon secret. */
  builder: Builder;
  request(more?: Partial<BuildRequest>): BuildRequest;
}

export const DEFAULT_APP_FILES: Readonly<Record<string, string>> = { 'index.js': 'console.log("hi")\n' };

export class BuilderScratch {
  /** The scratch folder, made at once so a test file can make its scratch at load time. */
  readonly root = mkdtempSync(join(tmpdir(), 'wharf-builder-'));
  private count = 0;

  async remove(): Promise<void> {
    await removeTree(this.root);
  }

  /** A path inside the scratch folder that no other call returns. */
  unique(name: string): string {
    this.count += 1;
    return join(this.root, `${name}-${this.count}`);
  }

  async fixture(files: Readonly<Record<string, string>> = DEFAULT_APP_FILES): Promise<BuilderFixture> {
    const buildsDir = this.unique('builds');
    const app = this.unique('app');
    await mkdir(app);
    await initRepo(app, { ...files });
    const hostEnv = { PATH: process.env['PATH'], HOME: this.root, DAEMON_SECRET: 'do-not-leak' };
    const builder = new Builder({ buildsDir, clock: steppingClock(), hostEnv });
    const request = (more: Partial<BuildRequest> = {}): BuildRequest => ({ app: 'shop', sourceDir: app, ...more });
    return { buildsDir, app, builder, request };
  }
}

/** Commits `files` (path → contents) to the repository in `repo`. */
export async function commit(repo: string, files: Record<string, string>): Promise<void> {
  await writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'change');
}

/** Whether `pid` runs; a zombie (killed, waiting for init to reap it) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let stat = '';
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return !/\) Z /.test(stat);
}

/** Polls `condition` every 50 ms, at most `attempts` times; true as soon as it holds. */
export async function eventually(condition: () => boolean, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i += 1) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** The pid of a process that has already exited (so, almost surely, of no process now). */
export async function pidOfFinishedProcess(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}
