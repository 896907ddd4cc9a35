/**
 * The share of a service's traffic a rollout gives a release other than the live one (the
 * canary's 5 %, the new set of a blue-green switch, the new instances of a rolling
 * deploy). The route table gives it `weight` and the live release the rest.
 *
 * Kept in the daemon's memory only, on purpose: after a daemon crash the table is built
 * without splits, so traffic goes back to the live release at once, and the interrupted
 * rollout is rolled back (recovery.ts) — never left at weights nobody is judging.
 */
export interface Split {
  release: number;
  /** 0–100. */
  weight: number;
}

export class TrafficSplits {
  private readonly splits = new Map<string, Split>();

  set(app: string, env: string, service: string, split: Split): void {
    this.splits.set(key(app, env, service), split);
  }

  clear(app: string, env: string, service?: string): void {
    if (service !== undefined) {
      this.splits.delete(key(app, env, service));
      return;
    }
    const prefix = key(app, env, '');
    for (const k of [...this.splits.keys()]) if (k.startsWith(prefix)) this.splits.delete(k);
  }

  get(app: string, env: string, service: string): Split | undefined {
    return this.splits.get(key(app, env, service));
  }

  /** The environment's splits by service name. */
  forEnv(app: string, env: string): ReadonlyMap<string, Split> {
    const prefix = key(app, env, '');
    const out = new Map<string, Split>();
    for (const [k, v] of this.splits) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
    return out;
  }
}

function key(app: string, env: string, service: string): string {
  return `${app}\0${env}\0${service}`;
}
