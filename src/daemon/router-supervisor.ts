import { processIsAlive } from '../runtime/proc-table.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrafficControl } from '../deploy/traffic.js';
import { WharfError } from '../errors.js';
import { RouterAdminClient } from '../router/admin-client.js';
import type { DrainEvent } from '../router/drain.js';
import type { DemandEvent } from '../router/hold-queue.js';
import type { MetricsSnapshot } from '../router/metrics.js';
import type { Table } from '../router/table.js';
import { cpuPolicy, setRealtime } from '../runtime/realtime.js';

const ROUTER_BIN = fileURLToPath(new URL('../router/bin.js', import.meta.url));

export interface RouterSupervisorOptions {
  dataDir: string;
  /** Where the router serves HTTP. */
  listen: { host: string; port: number };
  /** The table to serve now; called before each push. */
  table: (generation: number) => Promise<Table>;
  log?: (line: string) => void;
  /** Told when the router holds requests for a service at zero (the autoscaler starts one). */
  onDemand?: (e: DemandEvent) => void;
  /**
   * Run the router's event loop at real-time CPU priority (src/runtime/realtime.ts says
   * why), or in the normal class. @default true
   */
  realtime?: boolean | undefined;
}

/** The router's CPU priority as `wharf router status` shows it. */
export interface RouterPriority {
  /** The class its event loop runs in now. */
  cpu: 'real-time' | 'normal';
  /** Why it is not real-time, when that was asked for and refused. */
  problem?: string | undefined;
}

/** What `<dataDir>/router.json` records of the router Wharf runs. */
export interface RouterInfo {
  pid: number;
  listen: { host: string; port: number };
  adminSocket: string;
}

/**
 * Runs the router as its own process and keeps it running: adopts one that already answers
 * on the admin socket (it outlives the daemon, as the data plane must), starts one
 * otherwise, starts it again if it dies, and pushes it the table whenever instances change.
 */
export class RouterSupervisor implements TrafficControl {
  readonly adminSocket: string;
  private readonly client: RouterAdminClient;
  private generation = 0;
  private pushing: Promise<void> = Promise.resolve();
  private pushAgain = false;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly drained = new Map<string, DrainEvent>();
  private unsubscribe: (() => void) | undefined;
  private info: RouterInfo | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  /** The router's figures, read every second (DESIGN.md): what rollouts and the autoscaler judge by. */
  latest: MetricsSnapshot | undefined;
  /** When a metrics read last succeeded: the watchdog's proof that the router answers. */
  private answeredAt = 0;
  /** Why the last router process could not be given real-time priority. */
  private priorityProblem: string | undefined;

  constructor(private readonly options: RouterSupervisorOptions) {
    this.adminSocket = join(options.dataDir, 'router.sock');
    this.client = new RouterAdminClient(this.adminSocket);
  }

  get pid(): number | undefined {
    return this.info?.pid;
  }

  get priority(): RouterPriority {
    const pid = this.info?.pid;
    return { cpu: pid !== undefined && cpuPolicy(pid) === 'fifo' ? 'real-time' : 'normal', problem: this.priorityProblem };
  }

  async start(): Promise<{ adopted: boolean; pid: number }> {
    const adopted = await this.answers();
    if (!adopted) await this.spawnRouter();
    const current = await this.client.metrics();
    this.generation = Math.max(this.generation, current.generation);
    this.info = { pid: current.pid, listen: this.options.listen, adminSocket: this.adminSocket };
    // An adopted router too: it keeps the class it had, which an upgrade may change.
    await this.prioritise(current.pid);
    writeFileSync(join(this.options.dataDir, 'router.json'), `${JSON.stringify(this.info, null, 2)}\n`, { mode: 0o600 });
    await this.listen();
    this.watchdog = setInterval(() => void this.watch(), 2_000);
    this.watchdog.unref();
    this.metricsTimer = setInterval(() => void this.readMetrics(), 1_000);
    this.metricsTimer.unref();
    this.latest = current;
    await this.push();
    return { adopted, pid: current.pid };
  }

  /** Pushes the current table; calls made while a push is under way coalesce into one more. */
  push(): Promise<void> {
    if (this.pushAgain) return this.pushing;
    this.pushAgain = true;
    this.pushing = this.pushing.then(async () => {
      this.pushAgain = false;
      const table = await this.options.table(++this.generation);
      await this.client.pushTable(table);
    }).catch((e) => this.options.log?.(`router: table push failed: ${(e as Error).message}`));
    return this.pushing;
  }

  async awaitDrained(ids: readonly string[], timeoutMs: number): Promise<void> {
    await this.pushing;
    // The router ends each drain itself at its timeout; allow it a little longer to say so.
    const deadline = Date.now() + timeoutMs + 2_000;
    while (!ids.every((id) => this.drained.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const id of ids) this.drained.delete(id);
  }

  /** The router's figures read now (a rollout judges on them), or undefined when it does not answer. */
  async readFresh(): Promise<MetricsSnapshot | undefined> {
    try {
      this.latest = await this.client.metrics();
      this.answeredAt = Date.now();
      return this.latest;
    } catch {
      return undefined;
    }
  }

  /** Hands the listening sockets to a new router process, which drains the old one. */
  async restart(): Promise<{ pid: number }> {
    const { pid } = await this.client.restart();
    this.info = { ...this.info!, pid };
    // The old router started it from a real-time thread that resets its children to normal.
    await this.prioritise(pid);
    // Drain and demand events come from the process that serves; listen to the new one.
    await this.listen();
    writeFileSync(join(this.options.dataDir, 'router.json'), `${JSON.stringify(this.info, null, 2)}\n`, { mode: 0o600 });
    return { pid };
  }

  /** Stops watching; the router keeps serving. */
  detach(): void {
    clearInterval(this.watchdog);
    clearInterval(this.metricsTimer);
    this.unsubscribe?.();
    this.client.close();
  }

  private async readMetrics(): Promise<void> {
    try {
      this.latest = await this.client.metrics();
      this.answeredAt = Date.now();
    } catch {
      // A gap in the figures (the router restarting) is a gap, never zeros: keep the last ones.
    }
  }

  private async watch(): Promise<void> {
    // The metrics read every second already shows the router answering; ask only when it stopped.
    if (Date.now() - this.answeredAt < 3_000 || (await this.answers())) return;
    if (this.info && processIsAlive(this.info.pid)) return; // busy, not dead
    this.options.log?.('router: not answering and its process is gone; starting it again');
    try {
      await this.spawnRouter();
      const m = await this.client.metrics();
      this.info = { ...this.info!, pid: m.pid };
      await this.prioritise(m.pid);
      this.generation = Math.max(this.generation, m.generation);
      // Drain and demand events come from the process that serves: listen to the new one.
      await this.listen();
      await this.push();
    } catch (e) {
      this.options.log?.(`router: could not start: ${(e as Error).message}`);
    }
  }

  /** Puts the router's event loop in the CPU class asked for; says so when real-time is refused. */
  private async prioritise(pid: number): Promise<void> {
    const realtime = this.options.realtime ?? true;
    const outcome = await setRealtime(pid, realtime);
    this.priorityProblem = outcome.ok || !realtime ? undefined : outcome.reason;
    if (this.priorityProblem) this.options.log?.(`router: serves at normal CPU priority: ${this.priorityProblem}`);
  }

  /** Subscribes to the serving router's drain and demand events, in place of any earlier subscription. */
  private async listen(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = await this.client.subscribe((e) => this.drained.set(e.instanceId, e), (e) => this.options.onDemand?.(e));
  }

  private async answers(): Promise<boolean> {
    if (!existsSync(this.adminSocket)) return false;
    try {
      await this.client.getTable();
      return true;
    } catch {
      return false;
    }
  }

  private async spawnRouter(): Promise<void> {
    const { dataDir, listen } = this.options;
    mkdirSync(join(dataDir, 'router'), { recursive: true, mode: 0o700 });
    const logFile = join(dataDir, 'router.log');
    const log = openSync(logFile, 'a', 0o600);
    const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    const child = spawn(process.execPath, [ROUTER_BIN, '--data-dir', join(dataDir, 'router'), '--listen', `${host}:${listen.port}`, '--admin-socket', this.adminSocket], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child.unref();
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !exited) {
      if (await this.answers()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    const written = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (/EADDRINUSE/.test(written.slice(-4096))) {
      throw new WharfError('CONFLICT', `the router cannot listen on ${host}:${listen.port}: the address is already in use`, {
        hint: 'pick another address with --http HOST:PORT (or stop what holds it)',
      });
    }
    const tail = written.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-3).join('\n    ');
    throw new WharfError('INTERNAL', `the router did not start on ${host}:${listen.port}`, { hint: `its log (${logFile}) ends with:\n    ${tail}` });
  }
}
