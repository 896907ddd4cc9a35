// Wharf's side of the plan benchmark: the planner in-process, phase by phase, through the
// project's own functions, and the whole CLI against a running daemon.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuSecondsOf, runChecked, startUntil, stopChild } from './child.mjs';

/** The compiled modules the benchmark drives, from a dist dir (`npm run build` makes dist/). */
export async function loadWharf(dist) {
  const from = (file) => import(pathToFileURL(resolve(dist, file)).href);
  const [load, desired, plan, render, store, applier, recording, defaults] = await Promise.all([
    from('spec/load.js'),
    from('plan/desired.js'),
    from('plan/plan.js'),
    from('plan/render.js'),
    from('state/open-store.js'),
    from('apply/applier.js'),
    from('targets/recording/recording-target.js'),
    from('defaults.js'),
  ]);
  return {
    dist: resolve(dist),
    cli: resolve(dist, 'cli/main.js'),
    loadApp: load.loadApp,
    pickEnvironment: load.pickEnvironment,
    desiredState: desired.desiredState,
    plan: plan.plan,
    renderPlan: render.renderPlan,
    openStore: store.openStore,
    Applier: applier.Applier,
    RecordingTarget: recording.RecordingTarget,
    daemonNodeFlags: defaults.DAEMON_NODE_FLAGS,
  };
}

/** The desired state of one environment of the app in `dir` (for the terraform config and checks). */
export function desiredOf(w, dir, env) {
  return w.desiredState(w.pickEnvironment(w.loadApp(dir), env));
}

/**
 * One `wharf plan`, in-process, as the daemon answers POST /v1/plan (load, resolve, read
 * the recorded state, plan) plus the rendering the CLI prints. Times each phase.
 */
export async function planInProcess(w, { dir, env, store }) {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const app = w.loadApp(dir);
  const t1 = performance.now();
  const desired = w.desiredState(w.pickEnvironment(app, env));
  const t2 = performance.now();
  const [recorded, envRecord] = await Promise.all([store.listResources(desired.app, desired.env), store.getEnvironment(desired.app, desired.env)]);
  const t3 = performance.now();
  const p = w.plan(desired, recorded, envRecord !== undefined);
  const t4 = performance.now();
  const text = w.renderPlan(p, { color: false });
  const t5 = performance.now();
  const used = process.cpuUsage(cpu);
  return {
    ms: t5 - t0,
    cpuS: (used.user + used.system) / 1e6,
    phases: {
      'loadApp (read, parse, validate, resolve 5 environments)': t1 - t0,
      'pickEnvironment + desiredState': t2 - t1,
      'read recorded state (SQLite)': t3 - t2,
      plan: t4 - t3,
      renderPlan: t5 - t4,
    },
    text,
  };
}

/** Applies the app in `dir` to a store through the project's one executor, as `wharf apply --yes` does. */
export async function applyInProcess(w, { dir, env, store }) {
  const host = { pid: process.pid, hostname: hostname(), isAlive: () => true, now: Date.now };
  const applier = new w.Applier(store, new w.RecordingTarget(), host);
  const envSpec = w.pickEnvironment(w.loadApp(dir), env);
  return applier.apply({ desired: w.desiredState(envSpec), from: envSpec.from, by: { actor: 'bench', client: 'bench' } });
}

/**
 * A daemon with its own data dir (a real SQLite store), started in the foreground by its CLI.
 * `--http off`: no router. Planning needs none, and a router outlives its daemon by design
 * and holds a port (8080 by default) that other work on the machine may be using.
 */
export async function startWharfDaemon(w, dataDir) {
  // With the Node flags `wharf up` starts the daemon with.
  const child = await startUntil(process.execPath, [...w.daemonNodeFlags, w.cli, 'daemon', '--data-dir', dataDir, '--http', 'off'], /serving /);
  return { dataDir, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * `wharf plan` as a person runs it: the CLI process, which asks the daemon. Exit status 2
 * means "there are changes" (terraform's -detailed-exitcode). CPU: the CLI's and the daemon's.
 */
export async function wharfPlanCli(w, dir, env, daemon) {
  const daemonBefore = cpuSecondsOf(daemon.pid);
  const r = await wharfCli(w, ['plan', '-C', dir, '-e', env], daemon.dataDir, [2]);
  const daemonCpu = cpuSecondsOf(daemon.pid) - daemonBefore;
  return { ms: r.ms, cpuS: r.cpuS === undefined ? undefined : r.cpuS + daemonCpu, text: r.stdout };
}

/** `wharf ARGS --data-dir DIR`, timed; plan exits 2 when there are changes. */
function wharfCli(w, args, dataDir, codes = [0]) {
  return runChecked(process.execPath, [w.cli, ...args, '--data-dir', dataDir], { env: { NO_COLOR: '1' } }, codes);
}
