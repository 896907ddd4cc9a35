/**
 * The runtime's contract: how the control plane starts, stops, inspects and re-adopts app
 * instances, whatever runs them. The process driver (process-driver.ts) runs them as local
 * processes; a test double or another engine implements the same interface and passes the
 * same contract suite (driver-contract.ts).
 */
import type { InstanceState } from './lifecycle.js';

/** Everything needed to run one instance. Plain data, so the daemon can rebuild it after a restart. */
export interface InstanceSpec {
  /** Stable id, e.g. `shop.production.web.v3.1a2b`. */
  id: string;
  app: string;
  env: string;
  service: string;
  release: number;
  /** Run through `/bin/sh -c`, like a Procfile line. */
  command: string;
  /** The build directory the command runs in. */
  cwd: string;
  /** The release's environment variables (config); `PORT` is added from `port`. */
  vars: Record<string, string>;
  /** Given to the app as `PORT`; the driver waits for it to be bound when `portWaitMs` is set. */
  port?: number | undefined;
  /** This instance's own log directory (raw capture + rotated, timestamped log). */
  logDir: string;
  /** Grace period between SIGTERM and SIGKILL. @default DEFAULT_STOP_TIMEOUT_MS */
  stopTimeoutMs?: number | undefined;
  /** `size.memory`: the instance's whole process group is restarted above this. */
  memoryLimitBytes?: number | undefined;
  /**
   * Bounded probe: how long the driver waits for `port` to accept connections before it
   * counts the attempt as failed (reason `port-not-bound`). Unset: running once spawned.
   */
  portWaitMs?: number | undefined;
  /**
   * CPU niceness of the instance's session from its spawn until markHealth(id, true), then 0:
   * an instance that takes no traffic yet boots behind those that do (src/runtime/priority.ts).
   * Unset: it runs at 0 from the start.
   */
  bootNiceness?: number | undefined;
  /**
   * For an instance with no health gate (a worker): its boot ends, and its session is raised
   * to 0, after it has run this long, at every start (first, or restart after a crash).
   * Unset: only markHealth ends it.
   */
  bootWindowMs?: number | undefined;
  /** Run as this user and group. Unset: the driver's default (an unprivileged user under root). */
  uid?: number | undefined;
  gid?: number | undefined;
}

/** What the driver knows about one instance right now. */
export interface InstanceStatus {
  id: string;
  state: InstanceState;
  /** Why the last transition happened: `exit-code-1`, `signal-SIGKILL`, `memory-limit`, … */
  reason?: string | undefined;
  /** The process group leader (also the group id: instances run in their own session). */
  pid?: number | undefined;
  /** Field 22 of /proc/<pid>/stat: with the pid, identifies the process across pid reuse. */
  pidStartTime?: number | undefined;
  port?: number | undefined;
  /** Restarts after crashes since the instance was first started. */
  restarts: number;
  /** When the current process was started (ms since epoch), if one is running. */
  startedAt?: number | undefined;
  /** When the next restart is due, while the instance is crashed or crash-looping. */
  restartAt?: number | undefined;
  /** Resident memory of the whole process group, sampled every second. */
  rssBytes?: number | undefined;
  /** CPU use of the whole process group over the last sample, 100 = one core. */
  cpuPercent?: number | undefined;
  /** Whether the instance was re-adopted from a previous daemon (its exit code is then unknowable). */
  adopted: boolean;
}

/** An instance as a previous daemon recorded it: the spec plus the process it had. */
export interface RecordedInstance {
  spec: InstanceSpec;
  state: InstanceState | string;
  pid?: number | undefined;
  pidStartTime?: number | undefined;
  restarts?: number | undefined;
}

export interface RecoverResult {
  /** Alive and now supervised again; the same processes, never a second copy. */
  adopted: InstanceStatus[];
  /** Gone (or the pid now belongs to another process); the caller decides what to start. */
  dead: { id: string; reason: string }[];
}

export interface StopOptions {
  /** Overrides the spec's stop timeout for this stop. */
  timeoutMs?: number;
  /** Free the instance's bookkeeping once stopped (scale-in); default keeps it inspectable. */
  forget?: boolean;
}

/** The one consumer interface the runtime reports through (the daemon records it in the store). */
export interface InstanceListener {
  onTransition(id: string, from: InstanceState, to: InstanceState, reason: string | undefined): void;
  /** A problem that does not change the lifecycle, e.g. a log write failing on a full disk. */
  onProblem?(id: string, problem: string, error: unknown): void;
}

export interface Driver {
  /** Starts the instance; resolves once the first attempt is running or has failed. */
  start(spec: InstanceSpec): Promise<InstanceStatus>;
  /** Graceful stop: SIGTERM to the group, SIGKILL after the timeout. Resolves once nothing of it runs. */
  stop(id: string, options?: StopOptions): Promise<InstanceStatus | undefined>;
  inspect(id: string): InstanceStatus | undefined;
  /**
   * Feeds the health gate's verdict into the lifecycle: running/unhealthy ⇄ healthy. A first
   * pass ends the boot priority (spec.bootNiceness) before the instance becomes healthy and
   * resolves once it has; otherwise the state has changed by the time this returns.
   */
  markHealth(id: string, healthy: boolean): Promise<void>;
  /**
   * Puts a running instance back at its boot priority (spec.bootNiceness) while it is warmed
   * up again out of traffic, or ends that: a warm release about to take traffic back (a warm
   * rollback). No-op for an instance with no boot priority or no process.
   */
  setWarming(id: string, warming: boolean): Promise<void>;
  list(): InstanceStatus[];
  /** Re-attaches to recorded instances that are still alive; reports the dead ones. */
  recover(records: RecordedInstance[]): Promise<RecoverResult>;
  /** Stops supervising (timers, collectors) without touching the instances: they outlive us. */
  detach(): Promise<void>;
}
