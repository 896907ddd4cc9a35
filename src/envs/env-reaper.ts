import type { EnvironmentRecord } from '../state/types.js';
import type { Store } from '../state/store.js';
import type { EnvManager } from './env-manager.js';

/** The environments whose TTL has passed at `now`. Pure. */
export function expiredEnvironments(envs: readonly EnvironmentRecord[], now: number): EnvironmentRecord[] {
  return envs.filter((e) => e.expiresAt !== undefined && e.expiresAt <= now);
}

/** Destroys preview environments once their TTL passes, on a timer the daemon starts; each says so in an event. */
export class EnvReaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { store: Store; envs: EnvManager; now: () => number; log: (line: string) => void }) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: destroys every expired environment; a failure is logged and retried next pass. */
  tick(): Promise<void> {
    this.running = this.running.then(async () => {
      const { store, envs, now, log } = this.deps;
      for (const app of await store.listApps()) {
        for (const env of expiredEnvironments(await store.listEnvironments(app.name), now())) {
          const reason = `its TTL passed at ${new Date(env.expiresAt!).toISOString()}`;
          try {
            await envs.destroy(app.name, env.name, env.name, { actor: 'wharf', client: 'daemon' }, reason);
            log(`destroyed ${app.name}/${env.name}: ${reason}`);
          } catch (e) {
            log(`could not destroy expired ${app.name}/${env.name}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
    }).catch(() => undefined);
    return this.running;
  }
}
