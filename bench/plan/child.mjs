// Child processes of the benchmark: timed runs of a command, and the long-lived daemons,
// each stopped by its own pid.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// GNU time reports a finished child's user and system CPU (getrusage); Node does not.
const GNU_TIME = '/usr/bin/time';
const CLOCK_TICKS_PER_S = 100; // USER_HZ, the unit of /proc/<pid>/stat times on Linux
let runs = 0;

/** CPU seconds (user + system) a live process has used so far, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/**
 * Runs a command to its end: wall time from spawn to exit, as the person at the prompt
 * waits it, and (where GNU time is installed) the CPU seconds it used, all threads.
 */
export function runTimed(cmd, args, { cwd, env } = {}) {
  const cpuFile = existsSync(GNU_TIME) ? join(tmpdir(), `wharf-bench-plan-cpu-${process.pid}-${runs++}`) : undefined;
  const [file, argv] = cpuFile ? [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      const cpuS = cpuFile ? readCpu(cpuFile) : undefined;
      resolve({ ms, cpuS, code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** "1.82 0.12" (GNU time's last line: it prefixes a line when the command fails) → 1.94. */
function readCpu(file) {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  rmSync(file, { force: true });
  const [user, sys] = lines[lines.length - 1].split(' ').map(Number);
  return user + sys;
}

/** runTimed, failing with the command's own output unless it exits with one of `codes`. */
export async function runChecked(cmd, args, opts = {}, codes = [0]) {
  const r = await runTimed(cmd, args, opts);
  if (!codes.includes(r.code)) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code ?? r.signal}:\n${r.stderr || r.stdout}`.slice(0, 4000));
  }
  return r;
}

/** Starts a long-running process and resolves once `ready` matches its stdout. */
export function startUntil(cmd, args, ready, { env, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${cmd} ${args.join(' ')} was not ready after ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    const fail = (e) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (d) => {
      seen += d;
      if (ready.test(seen)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('close', onExit);
        child.stdout.resume();
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (seen += d));
    child.on('error', fail);
    const onExit = (code) => fail(new Error(`${cmd} ${args.join(' ')} exited with ${code} before it was ready:\n${seen}`));
    child.on('close', onExit);
  });
}

/** Stops a process started here by its pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
