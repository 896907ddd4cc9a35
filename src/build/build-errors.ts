/**
 * The errors a build raises, worded once: what failed, and what to do about it.
 */
import { WharfError } from '../errors.js';

export interface CommandFailure {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** BUILD_FAILED for a command that failed, carrying its exit code and last lines of output. */
export function buildFailed(
  app: string,
  command: string,
  outcome: CommandFailure,
  tail: string[],
  cancelled: boolean,
): WharfError {
  const how = cancelled
    ? 'was cancelled'
    : outcome.exitCode === null
      ? `was killed by ${outcome.signal ?? 'a signal'}`
      : `exited with code ${outcome.exitCode}`;
  return new WharfError('BUILD_FAILED', `the build of ${app} failed: \`${command}\` ${how}`, {
    hint: cancelled ? undefined : 'fix the build command or the source; its last lines of output are above',
    details: { exitCode: outcome.exitCode, signal: outcome.signal, cancelled, tail },
  });
}

/** BUILD_FAILED for a folder with no files to build: nothing committed, or everything ignored. */
export function nothingToBuild(dir: string, committedOnly: boolean): WharfError {
  return new WharfError('BUILD_FAILED', `there is nothing to build in ${dir}: no files${committedOnly ? ' are committed there' : ' are left after the ignore files'}`, {
    hint: committedOnly ? 'commit the app, or build the working tree with --include-uncommitted' : 'check the folder and its .gitignore / .wharfignore',
  });
}

/** BUILD_FAILED for a build whose log could not be written, most often a full disk: a build without its log is not kept. */
export function logUnwritable(app: string, cause: unknown): WharfError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new WharfError('BUILD_FAILED', `the build of ${app} failed: its log could not be written (${reason})`, {
    hint: 'free space where builds are kept, or collect old builds, and build again',
    cause,
  });
}
