import { acquireEnvLock, envLockScope, type LockHost } from '../../apply/env-lock.js';
import type { Store } from '../../state/store.js';
import type { ReleaseRecord } from '../../state/types.js';
import type { Fleet } from '../fleet.js';
import { releaseName, snapshotOf } from '../release-snapshot.js';

export interface RecoveryDeps {
  store: Store;
  fleet: Fleet;
  host: LockHost;
  log: (line: string) => void;
}

/**
 * After a daemon restart: a release that was rolling out when the daemon died is rolled
 * back to the live release (its split of the traffic was in the dead daemon's memory, so
 * the table already sends everything to the live one), or, on a first deploy with nothing
 * to go back to, finished. A release whose release command was cut off fails. The dead
 * daemon's lock on the environment is cleared: it was ours, its process is gone, and this
 * is the convergence it was waiting for.
 */
export async function recoverRollouts(deps: RecoveryDeps): Promise<void> {
  const { store, host } = deps;
  for (const { name: app } of await store.listApps()) {
    for (const { name: env } of await store.listEnvironments(app)) {
      const releases = await store.listReleasesWithStatus(app, env, ['deploying', 'pending', 'live']);
      const interrupted = releases.filter((r) => r.status === 'deploying' || r.status === 'pending');
      if (!interrupted.length) continue;
      const held = await store.getLock(envLockScope(app, env));
      if (held && (held.hostname !== host.hostname || host.isAlive(held.pid))) continue; // someone is working on it
      if (held) await store.forceReleaseLock(held.scope);
      const lock = await acquireEnvLock(store, host, app, env, 'wharf', 'recover');
      try {
        const live = releases.find((r) => r.status === 'live');
        for (const release of interrupted) await recoverRelease(deps, release, live);
      } finally {
        await store.releaseLock(lock.scope, lock.token);
      }
    }
  }
}

async function recoverRelease(deps: RecoveryDeps, release: ReleaseRecord, live: ReleaseRecord | undefined): Promise<void> {
  const { store, fleet, host, log } = deps;
  const { app, env } = release;
  const name = releaseName(release.version);
  const fail = async (reason: string) => {
    await store.setReleaseStatus(app, env, release.version, 'failed', reason, host.now());
    await store.appendEvent({ time: host.now(), app, env, kind: 'release.failed', message: `${name} ${reason}`, data: { release: release.version, recovered: true } });
    log(`${app}/${env}: ${name} ${reason}`);
  };
  if (live || release.status === 'pending') {
    const mine = (await fleet.list({ app, env })).filter((i) => i.release === release.version);
    await fleet.stopInstances(mine.map((i) => i.id));
    // A rolling deploy may have stopped some of the live release's instances: make it whole.
    for (const spec of live ? Object.values(snapshotOf(live).environment.services) : []) {
      await fleet.scale(app, env, spec.name, live!, spec.instances).catch((e: unknown) => log(`recovery: ${spec.name} of ${releaseName(live!.version)}: ${(e as Error).message}`));
    }
    await fail(live ? `interrupted: the daemon stopped during its rollout; rolled back to ${releaseName(live.version)}` : 'interrupted: the daemon stopped before its release command finished');
    return;
  }
  try {
    for (const spec of Object.values(snapshotOf(release).environment.services)) await fleet.scale(app, env, spec.name, release, spec.instances);
    await store.setReleaseStatus(app, env, release.version, 'live', undefined, host.now());
    await store.appendEvent({ time: host.now(), app, env, kind: 'release.live', message: `${name} is live: its first rollout, cut off by a daemon restart, was finished`, data: { release: release.version, recovered: true } });
    log(`${app}/${env}: finished the interrupted first rollout of ${name}`);
  } catch (e) {
    await fail(`interrupted by a daemon restart, and could not be finished: ${(e as Error).message}`);
  }
}
