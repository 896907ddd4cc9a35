import type { Target, TargetContext } from '../../apply/target.js';
import type { Fleet } from '../../deploy/fleet.js';
import type { Releaser } from '../../deploy/releaser.js';
import { serviceOf, snapshotOf } from '../../deploy/release-snapshot.js';
import type { Deployer } from '../../deploy/rollout/deployer.js';
import { WharfError } from '../../errors.js';
import type { ResourceChange } from '../../plan/types.js';
import { liveRelease, type Store } from '../../state/store.js';
import type { AddonSpec } from '../../spec/wharf-schema.js';

/** What the local target needs of the add-on manager (addons/addon-manager.ts). */
export interface AddonProvisioner {
  ensure(app: string, env: string, name: string, spec: AddonSpec): Promise<unknown>;
  detach(app: string, env: string, name: string, reason: string): Promise<unknown>;
}

/**
 * Fields whose change only changes how many instances run: no new release. Not `autoscale`:
 * the autoscaler and the router read it from the live release, so a new block needs one.
 */
const SCALE_FIELDS: ReadonlySet<string> = new Set(['instances']);

/**
 * The embedded target: apps run as supervised processes on this machine. A service's
 * change makes (or reuses) a release and rolls the environment out to it with each
 * service's strategy (the deployer); a change of its count alone scales the running
 * release; a deleted service is stopped.
 */
export class LocalTarget implements Target {
  readonly name = 'local';
  /** The release each apply rolled out, so a deploy that follows its own spec changes reports it. */
  private readonly rolledOut = new WeakMap<TargetContext, number>();
  /** The applies that have made (or found live) their release: one per apply, not one per service. */
  private readonly released = new WeakSet<TargetContext>();

  constructor(private readonly deps: { store: Store; releaser: Releaser; fleet: Fleet; deployer: Deployer; now: () => number; addons?: AddonProvisioner | undefined }) {}

  /** An add-on in the spec is provisioned (or re-attached); one removed from it is detached, never purged. */
  private async applyAddon(change: ResourceChange, ctx: TargetContext): Promise<void> {
    const { addons } = this.deps;
    if (!addons) {
      throw new WharfError('TARGET_FAILED', `add-on ${change.name}: this daemon runs without add-ons`, {
        hint: 'remove it from addons: and give the app a DATABASE_URL / REDIS_URL in env:',
      });
    }
    if (change.op === 'delete') {
      // An add-on that never got a record (its provisioning never started) has nothing to detach.
      await addons.detach(ctx.app, ctx.env, change.name, 'removed from the spec').catch((e: unknown) => {
        if (!(e instanceof WharfError && e.code === 'NOT_FOUND')) throw e;
      });
      return;
    }
    await addons.ensure(ctx.app, ctx.env, change.name, change.after as AddonSpec);
  }

  async apply(change: ResourceChange, ctx: TargetContext): Promise<void> {
    switch (change.kind) {
      case 'environment':
        return; // its settings (release command, pipeline) take effect through releases
      case 'addon':
        return this.applyAddon(change, ctx);
      case 'service':
        return this.applyService(change, ctx);
    }
  }

  async deploy(ctx: TargetContext): Promise<{ release: number; rolledOut: boolean }> {
    const result = await this.release(ctx);
    return { release: result.release, rolledOut: result.rolledOut || this.rolledOut.get(ctx) === result.release };
  }

  private async applyService(change: ResourceChange, ctx: TargetContext): Promise<void> {
    const { fleet } = this.deps;
    if (change.op === 'delete') return fleet.stopService(ctx.app, ctx.env, change.name);
    if (!ctx.source) throw new WharfError('INTERNAL', `no app source to build ${change.address} from`);
    const live = await liveRelease(this.deps.store, ctx.app, ctx.env);
    const scaleOnly = change.op === 'update' && change.changes.every((f) => SCALE_FIELDS.has(String(f.path[0])));
    if (scaleOnly && live && serviceOf(live, change.name)) {
      const wanted = ctx.source.environment.services[change.name]!;
      // An autoscaled service's count is the autoscaler's: `instances` is only where it starts.
      if (wanted.autoscale) return;
      return fleet.scale(ctx.app, ctx.env, change.name, live, wanted.instances);
    }
    // A release is the whole environment's (Heroku's model): every service moves to it, so
    // the later service changes of the same apply have nothing left to do.
    if (this.released.has(ctx)) return;
    await this.release(ctx);
  }

  /** Makes (or finds) the release of the source as it is, and rolls it out unless it is live. */
  private async release(ctx: TargetContext): Promise<{ release: number; rolledOut: boolean }> {
    const { releaser, deployer, fleet } = this.deps;
    if (!ctx.source) throw new WharfError('INTERNAL', `no app source to release ${ctx.app}/${ctx.env} from`);
    const { release } = await releaser.ensure({
      environment: ctx.source.environment,
      dir: ctx.source.dir,
      includeUncommitted: ctx.source.includeUncommitted,
      onOutput: ctx.onProgress,
    });
    this.released.add(ctx);
    if (release.status === 'live') {
      // The same source and spec as what runs: bring back what is missing, start nothing new.
      for (const [service, spec] of Object.entries(snapshotOf(release).environment.services)) {
        if (!spec.autoscale) await fleet.scale(ctx.app, ctx.env, service, release, spec.instances);
      }
      return { release: release.version, rolledOut: false };
    }
    await deployer.rollOut(release, { by: ctx.by ?? { actor: 'wharf', client: 'daemon' }, strategy: ctx.strategy, onProgress: ctx.onProgress });
    this.rolledOut.set(ctx, release.version);
    return { release: release.version, rolledOut: true };
  }
}
