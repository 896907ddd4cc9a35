/**
 * Batch work — builds, pipeline stages, release commands — runs at a lower CPU priority than
 * the instances serving traffic, so that a deploy on the same machine slows itself before it
 * slows users' requests: the convention of `nice make` on a shared build host. It starts
 * under nice(1) (a POSIX utility), so the command and everything it forks are niced from
 * their first instruction; raising a process's niceness needs no privilege.
 */
import { BATCH_NICENESS } from '../defaults.js';

/** The program and arguments that run `file args…` as batch work. */
export function asBatch(file: string, args: readonly string[]): [string, string[]] {
  return ['nice', ['-n', String(BATCH_NICENESS), file, ...args]];
}
