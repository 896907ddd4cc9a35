import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../../apply/applier.js';
import { REWARM_MAX_MS, WARM_ROLLBACK_BUDGET_MS, WARM_ROLLBACK_SWITCH_MS } from '../../defaults.js';
import { WharfError } from '../../errors.js';
import type { ReleaseRecord } from '../../state/types.js';
import { releaseName, snapshotOf } from '../release-snapshot.js';
import type { DeployerDeps } from './deployer.js';
import type { TrafficSplits } from './traffic-splits.js';
import type { RolloutProgress } from './types.js';

export interface RollbackRequest {
  app: string;
  env: string;
  /** The release to return to; the newest one that was live before the current one when absent. */
  to?: number | undefined;
  by: Actor;
  /**
   * How long the command had run when it sent the request (the CLI's own start-up): a warm
   * rollback's second counts from when the operator issued it, not from when the daemon heard.
   */
  issuedMsAgo?: number | undefined;
  onProgress?: ((p: RolloutProgress) => void) | undefined;
}

export interface RollbackResult {
  from: number;
  to: number;
  /** True when every web service of the target was still running (its warm window), so only the table changed; workers always start again. */
  warm: boolean;
  /** From the decision to the router serving the target's table. */
  switchMs: number;
  /** From the command (when the client issued it, by its own account) to the same point: a warm rollback's promise is a second. */
  sinceCommandMs: number;
}

/**
 * `wharf rollback`: traffic goes back to an earlier release. Within the warm window its
 * instances still run at weight 0, so this is a warm-up again (fleet.rewarm, bounded by
 * REWARM_MAX_MS, and ended in time for traffic to be back within WARM_ROLLBACK_BUDGET_MS of
 * `issuedAt`, the command) and one table push; after it, the release starts again behind the
 * health gate first (a cold rollback), and only then takes the traffic.
 * The release rolled back from stops. The caller holds the environment's lock.
 */
export async function rollBack(deps: DeployerDeps, splits: TrafficSplits, req: RollbackRequest, issuedAt: number): Promise<RollbackResult> {
  const { store, fleet, now } = deps;
  const { app, env } = req;
  const releases = await store.listReleases(app, env, 10_000);
  const live = releases.find((r) => r.status === 'live');
  if (!live) throw new WharfError('NOT_FOUND', `${app}/${env} has no live release to roll back from`, { hint: '`wharf releases` lists them' });
  const target = pickTarget(releases, live, req.to, `${app}/${env}`);
  for (const build of Object.values(snapshotOf(target).builds)) {
    if (!existsSync(build.dir)) {
      throw new WharfError('BUILD_GONE', `${releaseName(target.version)} cannot run again: its build ${build.id} was collected`, { hint: 'deploy that source again with `wharf deploy`; Wharf keeps the newest 5 builds' });
    }
  }
  const progress = async (service: string | undefined, step: string, message: string, data?: unknown) => {
    const p: RolloutProgress = { time: now(), app, env, service, step, message, data };
    req.onProgress?.(p);
    await store.appendEvent({ time: p.time, app, env, ...(service ? { service } : {}), kind: `rollback.${step}`, message: service ? `${service}: ${message}` : message, data: { from: live.version, to: target.version, ...(data === undefined ? {} : { data }) } });
  };
  const services = Object.values(snapshotOf(target).environment.services);
  const web = services.filter((s) => s.kind === 'web');
  const started: string[] = [];
  const idle: string[] = [];
  let warm = true;
  try {
    for (const spec of web) {
      const running = (await fleet.active(app, env, spec.name)).filter((i) => i.release === target.version);
      const healthy = running.filter((i) => i.state === 'healthy');
      idle.push(...healthy.map((i) => i.id));
      if (healthy.length > 0) continue;
      warm = false;
      const missing = Math.max(0, spec.instances - running.length);
      await progress(spec.name, 'starting', `${releaseName(target.version)} is not warm: starting ${missing} instance${missing === 1 ? '' : 's'} behind the health gate`);
      splits.set(app, env, spec.name, { release: target.version, weight: 0 });
      started.push(...(await fleet.startReady(app, env, spec.name, target, missing)));
    }
    // What already ran has idled at weight 0 (in a cold rollback, the services that were warm).
    if (idle.length > 0) {
      const t = now();
      // A warm rollback keeps its second: the re-warm gets what the command's start-up left.
      const deadline = Math.min(t + REWARM_MAX_MS, warm ? issuedAt + WARM_ROLLBACK_BUDGET_MS - WARM_ROLLBACK_SWITCH_MS : Infinity);
      if (deadline <= t) {
        const ran = t - issuedAt;
        await progress(undefined, 'rewarm-skipped', `${releaseName(target.version)} takes traffic back without a warm-up: the command had run ${ran} ms of its ${WARM_ROLLBACK_BUDGET_MS} ms`, { ran });
      } else {
        const answered = await fleet.rewarm(idle, deadline);
        const ms = now() - t;
        await progress(undefined, 'rewarmed', `${releaseName(target.version)} warmed up again out of traffic: ${answered.join(', ')} requests in ${ms} ms`, { answered, ms, boundMs: deadline - t });
      }
    }
  } catch (e) {
    splits.clear(app, env);
    await fleet.stopInstances(started);
    await deps.pushTable();
    throw new WharfError('DEPLOY_FAILED', `rollback to ${releaseName(target.version)} failed, ${releaseName(live.version)} is still live: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const switching = now();
  await store.setReleaseStatus(app, env, target.version, 'live', undefined, switching);
  await store.setReleaseStatus(app, env, live.version, 'rolled-back', `rolled back to ${releaseName(target.version)} by ${req.by.actor}`, switching);
  splits.clear(app, env);
  await deps.pushTable();
  const switched = now();
  const switchMs = switched - switching;
  const sinceCommandMs = switched - issuedAt;
  await restoreConfig(deps, target, live);
  await progress(undefined, 'switched', `traffic is on ${releaseName(target.version)} (${warm ? 'warm' : 'cold'}), switched in ${switchMs} ms, ${sinceCommandMs} ms after the command`, { warm, switchMs, sinceCommandMs });
  // Traffic first; then what the target runs is made whole (its workers start again, behind
  // the liveness gate) and the release rolled back from stops.
  for (const spec of services) {
    if (spec.autoscale) continue;
    await fleet.scale(app, env, spec.name, target, spec.instances).catch((e: unknown) => progress(spec.name, 'restore-failed', `${releaseName(target.version)} could not be brought to ${spec.instances} instances: ${(e as Error).message}`));
  }
  const leaving = (await fleet.list({ app, env })).filter((i) => i.release === live.version);
  await fleet.stopInstances(leaving.map((i) => i.id));
  await progress(undefined, 'finished', `${releaseName(live.version)} stopped; ${releaseName(target.version)} is live`);
  return { from: live.version, to: target.version, warm, switchMs, sinceCommandMs };
}

/**
 * A rollback reverts config too (the target runs its own config version). The config as
 * `wharf config` shows it, and as the next deploy takes it, becomes the target's again — a
 * new version with its entries — or the next deploy would bring back what was rolled back.
 */
async function restoreConfig(deps: DeployerDeps, target: ReleaseRecord, from: ReleaseRecord): Promise<void> {
  const { store, now } = deps;
  const { app, env } = target;
  const latest = await store.getConfig(app, env);
  if (!latest || latest.version === target.configVersion) return;
  const theirs = target.configVersion === 0 ? [] : ((await store.getConfig(app, env, target.configVersion))?.entries ?? []);
  if (isDeepStrictEqual(theirs, latest.entries)) return;
  const description = `rollback from ${releaseName(from.version)} to ${releaseName(target.version)}: its config (v${target.configVersion})`;
  const at = now();
  await store.putConfigVersion({ app, env, description, entries: theirs }, at, {
    events: [{ time: at, app, env, kind: 'config.restored', message: `config restored by the ${description}`, data: { release: target.version, configVersion: target.configVersion } }],
  });
}

function pickTarget(releases: ReleaseRecord[], live: ReleaseRecord, to: number | undefined, where: string): ReleaseRecord {
  if (to === undefined) {
    const previous = releases.find((r) => r.version < live.version && r.status === 'superseded');
    if (!previous) throw new WharfError('NOT_FOUND', `${where} has no earlier release that was live to roll back to`, { hint: '`wharf releases` lists them; `wharf rollback vN` picks one' });
    return previous;
  }
  const target = releases.find((r) => r.version === to);
  if (!target) {
    const newest = releases[0]?.version ?? 0;
    throw new WharfError('NOT_FOUND', `${releaseName(to)} of ${where} does not exist`, { hint: `its releases are v1 … v${newest}; \`wharf releases\` lists them` });
  }
  if (target.version === live.version) throw new WharfError('CONFLICT', `${releaseName(to)} is already live in ${where}`);
  if (target.status !== 'superseded' && target.status !== 'rolled-back') {
    throw new WharfError('CONFLICT', `${releaseName(to)} of ${where} never went live (${target.status}${target.reason ? `: ${target.reason}` : ''})`, { hint: 'roll back to a release that was live; `wharf releases` shows their status' });
  }
  return target;
}
