import type { ReleaseRollout } from '../config/config-service.js';
import type { Fleet } from '../deploy/fleet.js';
import { snapshotOf } from '../deploy/release-snapshot.js';
import type { Store } from '../state/store.js';
import type { ReleaseRecord } from '../state/types.js';

/**
 * The roll-out of a config change's release on the local runtime, until the deploy engine
 * takes it over: every service moves to the release at its current count, then the release
 * is live and the one before superseded (as targets/local/local-target.ts does); a service
 * that does not come up fails the release, and the instances that ran keep running.
 */
export function localRollout(store: Store, fleet: Fleet, now: () => number): ReleaseRollout {
  return {
    async rollOut(release: ReleaseRecord): Promise<void> {
      const { app, env } = release;
      const previous = (await store.listReleases(app, env, 20)).find((r) => r.status === 'live');
      const running = await fleet.list({ app, env });
      for (const [service, spec] of Object.entries(snapshotOf(release).environment.services)) {
        const current = previous ? running.filter((i) => i.service === service && i.release === previous.version).length : 0;
        try {
          await fleet.roll(app, env, service, release, previous ? current : spec.instances);
        } catch (e) {
          const reason = `${service}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
          await store.setReleaseStatus(app, env, release.version, 'failed', reason, now());
          await store.appendEvent({ time: now(), app, env, service, kind: 'release.failed', message: `v${release.version} failed: ${reason}`, data: { release: release.version } });
          throw e;
        }
      }
      await store.setReleaseStatus(app, env, release.version, 'live', undefined, now());
      if (previous) await store.setReleaseStatus(app, env, previous.version, 'superseded', undefined, now());
      await store.appendEvent({ time: now(), app, env, kind: 'release.live', message: `v${release.version} is live`, data: { release: release.version } });
    },
  };
}
