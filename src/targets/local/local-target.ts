import type { Target, TargetContext } from '../../apply/target.js';
import type { Fleet } from '../../deploy/fleet.js';
import type { Releaser } from '../../deploy/releaser.js';
import { serviceOf, snapshotOf } from '../../deploy/release-snapshot.js';
import { WharfError } from '../../errors.js';
import type { ResourceChange } from '../../plan/types.js';
import type { Store } from '../../state/store.js';
import type { ReleaseRecord } from '../../state/types.js';

/**
 * Fields whose change only changes how many instances run: no new release. Not `autoscale`:
 * the autoscaler and the router read it from the live release, so a new block needs one.
 */
const SCALE_FIELDS: ReadonlySet<string> = new Set(['instances']);

/**
 * The embedded target: apps run as supervised processes on this machine. A service's
 * change makes (or reuses) a release and rolls the service to it; a change of its count
 * alone scales the running release; a deleted service is stopped.
 */
export class LocalTarget implements Target {
  readonly name = 'local';

  constructor(private readonly deps: { store: Store; releaser: Releaser; fleet: Fleet; now: () => number }) {}

  async apply(change: ResourceChange, ctx: TargetContext): Promise<void> {
    switch (change.kind) {
      case 'environment':
        return; // its settings (release command, pipeline) take effect through releases
      case 'addon':
        throw new WharfError('TARGET_FAILED', `add-on ${change.name}: the local target cannot provision add-ons yet`, {
          hint: 'remove it from addons: for now and give the app a DATABASE_URL / REDIS_URL in env:',
        });
      case 'service':
        return this.applyService(change, ctx);
    }
  }

  private async applyService(change: ResourceChange, ctx: TargetContext): Promise<void> {
    const { fleet, releaser } = this.deps;
    if (change.op === 'delete') return fleet.stopService(ctx.app, ctx.env, change.name);
    if (!ctx.source) throw new WharfError('INTERNAL', `no app source to build ${change.address} from`);
    const live = await this.liveRelease(ctx.app, ctx.env);
    const scaleOnly = change.op === 'update' && change.changes.every((f) => SCALE_FIELDS.has(String(f.path[0])));
    if (scaleOnly && live && serviceOf(live, change.name)) {
      return fleet.scale(ctx.app, ctx.env, change.name, live, ctx.source.environment.services[change.name]!.instances);
    }
    const { release } = await releaser.ensure({ environment: ctx.source.environment, dir: ctx.source.dir, includeUncommitted: ctx.source.includeUncommitted });
    // A release is the whole environment's (Heroku's model): every service moves to it, the
    // changed one first. The later changes of the same apply find theirs already moved.
    const services = [change.name, ...Object.keys(snapshotOf(release).environment.services).filter((s) => s !== change.name)];
    for (const service of services) {
      try {
        await fleet.roll(ctx.app, ctx.env, service, release, snapshotOf(release).environment.services[service]!.instances);
      } catch (e) {
        if (release.status !== 'live') await this.fail(release, service, e);
        throw e;
      }
    }
    await this.promoteIfRolledOut(release, live);
  }

  /** A release that could not roll out is failed, so the next apply makes a fresh one. */
  private async fail(release: ReleaseRecord, service: string, e: unknown): Promise<void> {
    const { store, now } = this.deps;
    const reason = `${service}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    await store.setReleaseStatus(release.app, release.env, release.version, 'failed', reason, now());
    await store.appendEvent({ time: now(), app: release.app, env: release.env, service, kind: 'release.failed', message: `v${release.version} failed: ${reason}`, data: { release: release.version } });
  }

  /** The release traffic is on: the newest live one. */
  private async liveRelease(app: string, env: string): Promise<ReleaseRecord | undefined> {
    return (await this.deps.store.listReleases(app, env, 20)).find((r) => r.status === 'live');
  }

  /** A release is live once every service it runs has moved to it; the one before is superseded. */
  private async promoteIfRolledOut(release: ReleaseRecord, previous: ReleaseRecord | undefined): Promise<void> {
    const { store, fleet } = this.deps;
    if (release.status === 'live') return;
    const instances = await fleet.list({ app: release.app, env: release.env });
    const services = Object.keys(snapshotOf(release).environment.services);
    const rolled = services.every((s) => instances.filter((i) => i.service === s).every((i) => i.release === release.version));
    if (!rolled) return;
    const now = this.deps.now();
    await store.setReleaseStatus(release.app, release.env, release.version, 'live', undefined, now);
    if (previous && previous.version !== release.version) await store.setReleaseStatus(release.app, release.env, previous.version, 'superseded', undefined, now);
    await store.appendEvent({ time: now, app: release.app, env: release.env, kind: 'release.live', message: `v${release.version} is live`, data: { release: release.version } });
  }
}
