/**
 * What the managed PostgreSQL and Redis servers share: they are found by a pid file
 * (checked against /proc, so a stale file never adopts a stranger), started at most once
 * at a time, and stopped by pid with their own clean-shutdown signal.
 */
import type { AdminEndpoint } from './endpoint.js';
import { livePid, stopPid } from './server-process.js';

/** Where the admin logs in to a managed server. */
export type ServerEndpoint = Omit<AdminEndpoint, 'database'>;

export abstract class ManagedServer {
  private starting: Promise<ServerEndpoint> | undefined;

  protected constructor(
    private readonly pidFile: string,
    /** The process's command name, as /proc/<pid>/comm shows it. */
    private readonly command: string,
    private readonly stopSignal: NodeJS.Signals,
  ) {}

  /** The server's pid if it runs. */
  get pid(): number | undefined {
    return livePid(this.pidFile, this.command);
  }

  /** The running server's endpoint: adopted if it runs, started (and first made) if not. */
  ensureRunning(): Promise<ServerEndpoint> {
    // One start at a time: two provisionings at once must not race two starts.
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async stop(): Promise<void> {
    const pid = this.pid;
    if (pid !== undefined) await stopPid(pid, this.command, this.stopSignal);
  }

  protected abstract start(): Promise<ServerEndpoint>;
}
