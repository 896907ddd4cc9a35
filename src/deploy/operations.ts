import { processIsAlive } from '../runtime/proc-table.js';
import { hostname } from 'node:os';
import type { Actor } from '../apply/applier.js';
import { acquireEnvLock } from '../apply/env-lock.js';
import { WharfError } from '../errors.js';
import type { OneOffOptions, OneOffSpec } from '../runtime/index.js';
import { liveRelease, type Store } from '../state/store.js';
import type { ReleaseRecord } from '../state/types.js';
import type { Fleet } from './fleet.js';
import { releaseName, serviceOf, snapshotOf, type ConfigVars } from './release-snapshot.js';

/** Who the audit trail names for the autoscaler's scales. */
export const AUTOSCALER: Actor = { actor: 'wharf', client: 'autoscaler' };

export interface OperationsDeps {
  store: Store;
  fleet: Fleet;
  runOneOff: (spec: OneOffSpec, options: OneOffOptions) => Promise<number>;
  now: () => number;
  /** The release's config, on top of the spec's env. @default none */
  configVars?: ConfigVars | undefined;
}

/**
 * The control API's named operations on a running environment (scale, restart, run): each
 * authorised at the route, taken under the environment's lock where it changes what runs,
 * and written to the audit log and the timeline.
 */
export class Operations {
  constructor(private readonly deps: OperationsDeps) {}

  /**
   * Sets instance counts of the live release. The recorded count changes too, so `wharf
   * plan` shows the spec's count as a change (applying the spec would scale back).
   */
  async scale(app: string, env: string, counts: Record<string, number>, by: Actor): Promise<Record<string, { from: number; to: number }>> {
    return this.locked(app, env, by, 'scale', async (live) => {
      const { store, fleet, now } = this.deps;
      const resources = await store.listResources(app, env);
      const changed: Record<string, { from: number; to: number }> = {};
      for (const [service, count] of Object.entries(counts)) {
        if (!serviceOf(live, service)) throw new WharfError('NOT_FOUND', `${app}/${env} has no service ${service}`, { hint: `services: ${Object.keys(snapshotOf(live).environment.services).join(', ')}` });
        if (!Number.isInteger(count) || count < 0 || count > 1000) throw new WharfError('BAD_REQUEST', `${service}=${count}: expected a whole number from 0 to 1000`);
        const autoscale = serviceOf(live, service)!.spec.autoscale;
        if (autoscale) {
          // Two owners of one count would undo each other every second: the autoscaler's wins, and says how to move it.
          throw new WharfError('CONFLICT', `${service} is autoscaled (min ${autoscale.min}, max ${autoscale.max}): its count is the autoscaler's`, {
            hint: `change services.${service}.autoscale.min / max in wharf.yaml and \`wharf apply\`; \`wharf autoscale status\` shows the figures behind its count`,
          });
        }
      }
      for (const [service, count] of Object.entries(counts)) {
        const from = (await fleet.list({ app, env, service })).filter((i) => i.release === live.version).length;
        await fleet.scale(app, env, service, live, count);
        changed[service] = { from, to: count };
        const resource = resources.find((r) => r.kind === 'service' && r.name === service);
        await store.commit({
          ...(resource ? { putResources: [{ ...resource, body: { ...(resource.body as object), instances: count }, appliedAt: now() }] } : {}),
          events: [{ time: now(), app, env, service, kind: 'service.scaled', message: `${service} scaled ${from} → ${count} by ${by.actor}`, data: { from, to: count } }],
        });
      }
      return changed;
    });
  }

  /**
   * The autoscaler's scale: the same lock, fleet.scale and audit entry as `scale` (actor
   * `wharf`, client `autoscaler`), and an `autoscale.scaled` event carrying the decision.
   * The recorded spec count is left alone: an autoscaled service's count is the
   * autoscaler's, and `wharf plan` must not show it as a change.
   */
  async autoscale(app: string, env: string, service: string, order: { release: number; to: number; reason: string; figures: unknown; orderedAt: number }): Promise<{ service: string; from: number; to: number; reason: string }> {
    return this.locked(app, env, AUTOSCALER, 'autoscale', async (live) => {
      const { store, fleet, now } = this.deps;
      // The decision was made on figures of one live release; a release that went live since
      // (or a policy that changed) makes it stale: the autoscaler decides afresh.
      const policy = serviceOf(live, service)?.spec.autoscale;
      if (live.version !== order.release || !policy || order.to < policy.min || order.to > policy.max) {
        throw new WharfError('CONFLICT', `${order.reason}: stale, ${app}/${env} now runs ${releaseName(live.version)}${policy ? ` with ${service} between ${policy.min} and ${policy.max}` : ` without autoscaling ${service}`}`);
      }
      const from = (await fleet.list({ app, env, service })).filter((i) => i.release === live.version && i.state !== 'draining' && i.state !== 'stopped').length;
      try {
        // From zero, the router holds requests for this instance: they are its first ones, not
        // a warm-up's (App Engine sends no warm-up when a request waits for the instance).
        await fleet.scale(app, env, service, live, order.to, { warmup: from > 0 });
      } catch (e) {
        const message = `${order.reason}: not done (${e instanceof Error ? e.message : String(e)})`;
        await store.appendEvent({ time: now(), app, env, service, kind: 'autoscale.failed', message, data: { from, to: order.to, reason: order.reason, figures: order.figures, orderedAt: order.orderedAt } });
        throw e;
      }
      const data = { from, to: order.to, reason: order.reason, figures: order.figures, orderedAt: order.orderedAt, doneAt: now() };
      await store.appendEvent({ time: now(), app, env, service, kind: 'autoscale.scaled', message: order.reason, data });
      return { service, from, to: order.to, reason: order.reason };
    });
  }

  async restart(app: string, env: string, service: string | undefined, by: Actor): Promise<number> {
    return this.locked(app, env, by, 'restart', async () => {
      const n = await this.deps.fleet.restart(app, env, service);
      await this.deps.store.appendEvent({ time: this.deps.now(), app, env, ...(service ? { service } : {}), kind: 'service.restarted', message: `${service ?? 'all services'} restarted by ${by.actor} (${n} instances)` });
      return n;
    });
  }

  /** A one-off process with the live release's build and environment (Heroku's `heroku run`). */
  async run(app: string, env: string, service: string | undefined, command: string, by: Actor, options: OneOffOptions): Promise<number> {
    const live = await this.live(app, env);
    const services = snapshotOf(live).environment.services;
    const name = service ?? (services['web'] ? 'web' : Object.keys(services)[0]!);
    const frozen = serviceOf(live, name);
    if (!frozen) throw new WharfError('NOT_FOUND', `${releaseName(live.version)} of ${app}/${env} has no service ${name}`);
    const { store, now } = this.deps;
    const id = `${app}.${env}.run.${now()}`;
    const vars = { ...frozen.spec.env, ...(await this.deps.configVars?.(app, env, live.configVersion)) };
    const status = await this.deps.runOneOff({ id, command, cwd: frozen.build.dir, vars }, options);
    await store.commit({
      events: [{ time: now(), app, env, service: name, kind: 'run.finished', message: `${by.actor} ran \`${command}\` on ${releaseName(live.version)}: exit ${status}`, data: { status } }],
      audit: [{ time: now(), actor: by.actor, client: by.client, operation: 'run', app, env, outcome: 'ok', details: { command, service: name, release: live.version, status } }],
    });
    return status;
  }

  private async live(app: string, env: string): Promise<ReleaseRecord> {
    const live = await liveRelease(this.deps.store, app, env);
    if (!live) throw new WharfError('NOT_FOUND', `${app}/${env} has no live release`, { hint: '`wharf up` or `wharf apply` deploys one' });
    return live;
  }

  private async locked<T>(app: string, env: string, by: Actor, operation: string, work: (live: ReleaseRecord) => Promise<T>): Promise<T> {
    const { store, now } = this.deps;
    const lock = await acquireEnvLock(store, { pid: process.pid, hostname: hostname(), isAlive: processIsAlive, now }, app, env, by.actor, operation);
    try {
      const result = await work(await this.live(app, env));
      await store.appendAudit({ time: now(), actor: by.actor, client: by.client, operation, app, env, outcome: 'ok', details: result });
      return result;
    } catch (e) {
      await store.appendAudit({ time: now(), actor: by.actor, client: by.client, operation, app, env, outcome: 'error', details: { error: e instanceof WharfError ? e.code : 'INTERNAL' } }).catch(() => undefined);
      throw e;
    } finally {
      await store.releaseLock(lock.scope, lock.token);
    }
  }
}
