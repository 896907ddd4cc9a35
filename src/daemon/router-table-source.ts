import { buildTable, type EnvTraffic } from '../deploy/route-table.js';
import type { Fleet } from '../deploy/fleet.js';
import type { TrafficSplits } from '../deploy/rollout/traffic-splits.js';
import type { Table } from '../router/table.js';
import type { Store } from '../state/store.js';
import type { InstanceRecord, ReleaseRecord } from '../state/types.js';

/**
 * The table the router should serve now, from what the store records: for each environment
 * with instances or a live release, its live release (or, before its first release goes
 * live, the newest one being deployed that has instances).
 */
export async function currentTable(store: Store, fleet: Fleet, splits: TrafficSplits, generation: number): Promise<Table> {
  const byEnv = new Map<string, InstanceRecord[]>();
  for (const i of await store.listInstances()) {
    const key = `${i.app}\0${i.env}`;
    byEnv.set(key, [...(byEnv.get(key) ?? []), i]);
  }
  // What serves or is being deployed, read once per environment for both questions below.
  const candidates = new Map<string, ReleaseRecord[]>();
  for (const app of await store.listApps()) {
    for (const env of await store.listEnvironments(app.name)) {
      const key = `${app.name}\0${env.name}`;
      const releases = await store.listReleasesWithStatus(app.name, env.name, ['live', 'deploying']);
      candidates.set(key, releases);
      // An environment whose services all scaled to zero has no instance, but its routes stay.
      if (!byEnv.has(key) && releases.some((r) => r.status === 'live')) byEnv.set(key, []);
    }
  }
  const envs: EnvTraffic[] = [];
  for (const [key, instances] of byEnv) {
    const [app, env] = key.split('\0') as [string, string];
    const releases = candidates.get(key) ?? (await store.listReleasesWithStatus(app, env, ['live', 'deploying']));
    const running = new Set(instances.map((i) => i.release));
    const primary = releases.find((r) => r.status === 'live') ?? releases.find((r) => r.status === 'deploying' && running.has(r.version));
    if (primary) envs.push({ primary, instances, splits: splits.forEnv(app, env) });
  }
  return buildTable(envs, fleet.draining, generation);
}
