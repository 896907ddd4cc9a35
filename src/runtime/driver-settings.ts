/**
 * The process driver's options, their defaults, and the host facilities it looks up once
 * and lazily (the app user, a cgroup v2 hierarchy): configuration, kept apart from the
 * executor.
 */
import { DEFAULT_LOG_FILE_BYTES, DEFAULT_LOG_FILES, DEFAULT_RUNTIME_SAMPLE_MS } from '../defaults.js';
import { defaultIdentity, primaryGid, type Identity } from './app-user.js';
import { detectCgroupV2, type MemoryCgroups } from './cgroup-memory.js';
import type { InstanceListener, InstanceSpec } from './driver.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
import type { RotationOptions } from './rotating-log.js';

export interface ProcessDriverOptions {
  listener?: InstanceListener;
  restartPolicy?: RestartPolicy;
  /** CPU/RSS sampling and memory-limit check period. @default DEFAULT_RUNTIME_SAMPLE_MS */
  sampleMs?: number;
  /** How often raw output is collected into the rotated logs. @default 200 */
  logPollMs?: number;
  logMaxBytes?: number;
  logMaxFiles?: number;
  /** Who instances run as when their spec names no uid/gid. 'auto': the app user under root. */
  identity?: Identity | 'auto' | 'inherit';
  /**
   * The kernel enforcer of memory limits. 'auto' looks for cgroup v2 the first time an
   * instance with a limit starts; 'none' (or a host without it) enforces by sampling RSS.
   * @default 'auto'
   */
  cgroups?: MemoryCgroups | 'auto' | 'none';
  random?: () => number;
  now?: () => number;
}

export class DriverSettings {
  private identityCache: Identity | undefined | null = null;
  private cgroupCache: MemoryCgroups | undefined | null = null;

  constructor(private readonly options: ProcessDriverOptions) {}

  get sampleMs(): number {
    return this.options.sampleMs ?? DEFAULT_RUNTIME_SAMPLE_MS;
  }

  get logPollMs(): number {
    return this.options.logPollMs ?? 200;
  }

  get restartPolicy(): RestartPolicy {
    return this.options.restartPolicy ?? DEFAULT_RESTART_POLICY;
  }

  random(): number {
    return (this.options.random ?? Math.random)();
  }

  rotation(): RotationOptions {
    return { maxBytes: this.options.logMaxBytes ?? DEFAULT_LOG_FILE_BYTES, maxFiles: this.options.logMaxFiles ?? DEFAULT_LOG_FILES };
  }

  /** The spec's uid/gid, else the driver's default: the app user when the daemon is root. */
  identityFor(spec: InstanceSpec): Identity | undefined {
    if (spec.uid !== undefined) return { uid: spec.uid, gid: spec.gid ?? primaryGid(spec.uid) ?? spec.uid };
    const opt = this.options.identity ?? 'auto';
    if (opt === 'inherit') return undefined;
    if (opt !== 'auto') return opt;
    if (this.identityCache === null) this.identityCache = defaultIdentity();
    return this.identityCache;
  }

  cgroups(): MemoryCgroups | undefined {
    const opt = this.options.cgroups ?? 'auto';
    if (opt === 'none') return undefined;
    if (opt !== 'auto') return opt;
    if (this.cgroupCache === null) this.cgroupCache = detectCgroupV2();
    return this.cgroupCache;
  }
}
