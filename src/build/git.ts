/**
 * The few git plumbing commands a snapshot needs, run with an environment of Wharf's
 * choosing: no inherited GIT_DIR / GIT_INDEX_FILE can point the read somewhere else, and
 * core.fsmonitor is off so reading a repository never runs a command its config names.
 */
import { execFile, spawn } from 'node:child_process';
import { WharfError } from '../errors.js';
import { ByteReader } from './byte-reader.js';

/** Plumbing only reads; these keep it from running anything or rewriting output. */
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false'];
const MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

export interface GitContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs `git ARGS` and returns its stdout; rejects with git's own message on failure. */
export function runGit(ctx: GitContext, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE_CONFIG, ...args],
      { cwd: ctx.cwd, env: ctx.env, encoding: 'buffer', maxBuffer: MAX_OUTPUT_BYTES },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        const message = stderr.toString('utf8').trim() || error.message;
        reject(new WharfError('BUILD_FAILED', `git ${args[0] ?? ''} failed in ${ctx.cwd}: ${message}`, { cause: error }));
      },
    );
  });
}

/** Splits NUL-terminated output (`-z`) into its records. */
export function nulRecords(output: Buffer): string[] {
  return output.toString('utf8').split('\0').filter((record) => record !== '');
}

/**
 * Streams the contents of many blobs through one `git cat-file --batch` process, in the
 * order asked ("<oid> <type> <size>\n<contents>\n" per object, git-cat-file(1) BATCH OUTPUT).
 * Stopping the iteration early stops the process.
 */
export async function* readBlobs(ctx: GitContext, oids: readonly string[]): AsyncGenerator<Buffer> {
  if (oids.length === 0) return;
  const child = spawn('git', [...SAFE_CONFIG, 'cat-file', '--batch'], { cwd: ctx.cwd, env: ctx.env });
  let stderr = '';
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.on('error', () => undefined); // git exiting early closes the pipe; its stderr says why
  child.stdin.end(oids.map((oid) => `${oid}\n`).join(''));
  const reader = new ByteReader(child.stdout);
  const fail = (what: string): WharfError =>
    new WharfError('BUILD_FAILED', `git cat-file ${what}: ${spawnError?.message ?? stderr.trim()}`);
  try {
    for (const oid of oids) {
      const header = await reader.readLine();
      if (header === undefined) throw fail(`stopped before ${oid}`);
      const [, type, size] = header.split(' ');
      if (type !== 'blob' || size === undefined) throw fail(`answered "${header}" for ${oid}`);
      const data = await reader.readBytes(Number(size));
      await reader.readBytes(1); // the '\n' after the contents
      yield data;
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
