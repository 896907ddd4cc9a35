/**
 * What a person (or the daemon) can say to a rollout while it runs: promote (skip the rest
 * of a canary's ladder) or abort (roll back now). Waits inside a rollout go through
 * `sleep`, so either is acted on at once rather than at the end of a hold.
 */
export class RolloutSignals {
  private abortReason: string | undefined;
  private promoteBy: string | undefined;
  private readonly wakers = new Set<() => void>();

  get aborted(): string | undefined {
    return this.abortReason;
  }

  get promoted(): string | undefined {
    return this.promoteBy;
  }

  abort(reason: string): void {
    this.abortReason ??= reason;
    this.wakeAll();
  }

  promote(by: string): void {
    this.promoteBy ??= by;
    this.wakeAll();
  }

  /** Resolves after `ms`, or as soon as the rollout is aborted or promoted. */
  sleep(ms: number): Promise<void> {
    if (this.abortReason !== undefined || this.promoteBy !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
