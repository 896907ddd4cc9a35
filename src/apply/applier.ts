import { asWharfError, WharfError } from '../errors.js';
import { hasChanges, plan as makePlan } from '../plan/plan.js';
import type { DesiredState, Plan, ResourceChange } from '../plan/types.js';
import type { Store } from '../state/store.js';
import type { ChangeSet, NewAudit, NewEvent } from '../state/types.js';
import { acquireEnvLock, type LockHost } from './env-lock.js';
import type { Strategy } from '../deploy/rollout/types.js';
import type { ApplySource, Target, TargetContext } from './target.js';

export interface Actor {
  /** Who: a user name, `token:<name>`, `slack:<user>`, or `wharf`. */
  actor: string;
  /** Through which client: cli, dashboard, slack, api, daemon. */
  client: string;
}

export interface ApplyRequest {
  desired: DesiredState;
  /** The environment this one was created from, recorded when apply creates it. */
  from?: string | undefined;
  /** The app folder and resolved spec, for targets that build and run the app. */
  source?: ApplySource | undefined;
  by: Actor;
  /** The hash of the plan the person approved; apply refuses if the plan has changed since. */
  expectHash?: string | undefined;
  /** `wharf deploy`: after the plan's changes, release the source as it is and roll it out. */
  deploy?: { strategy?: Strategy | undefined } | undefined;
  onProgress?: TargetContext['onProgress'];
}

export interface ApplyResult {
  plan: Plan;
  /** Resource changes made (noops excluded). */
  applied: number;
  /** With `deploy`: the release now live, and whether this call rolled it out. */
  release?: { version: number; rolledOut: boolean } | undefined;
}

/**
 * The one executor of plans. Under the environment's lock it re-plans against the recorded
 * state, makes each change real through the target, and records each one as soon as it is
 * real — so an apply cut off midway leaves the truth recorded, and the next plan shows
 * exactly what is left.
 */
export class Applier {
  constructor(
    private readonly store: Store,
    private readonly target: Target,
    private readonly host: LockHost,
  ) {}

  async plan(desired: DesiredState): Promise<Plan> {
    const [recorded, env] = await Promise.all([
      this.store.listResources(desired.app, desired.env),
      this.store.getEnvironment(desired.app, desired.env),
    ]);
    return makePlan(desired, recorded, env !== undefined);
  }

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    const { app, env } = req.desired;
    const operation = req.deploy ? 'deploy' : 'apply';
    const lock = await acquireEnvLock(this.store, this.host, app, env, req.by.actor, operation);
    const ctx: TargetContext = { app, env, source: req.source, by: req.by, onProgress: req.onProgress, strategy: req.deploy?.strategy };
    let current: ResourceChange | undefined;
    let applied = 0;
    try {
      const p = await this.plan(req.desired);
      if (req.expectHash !== undefined && req.expectHash !== p.hash) {
        throw new WharfError('CONFLICT', `the plan for ${app}/${env} changed since it was shown`, { hint: 'run `wharf plan` again and review it' });
      }
      if (!hasChanges(p) && !req.deploy) {
        await this.record({ audit: [this.audit(req, 'ok', { hash: p.hash, summary: p.summary })] });
        return { plan: p, applied: 0 };
      }
      const now = this.host.now();
      await this.store.ensureApp(app, now);
      await this.store.ensureEnvironment({ app, name: env, createdAt: now, ...(req.from ? { from: req.from } : {}) });
      await this.record({ events: [this.event(req, `${operation}.started`, `${operation} started: ${summaryText(p)}`, { hash: p.hash, summary: p.summary })] });
      for (const change of p.changes) {
        if (change.op === 'noop') continue;
        current = change;
        await this.target.apply(change, ctx);
        await this.record(this.recordChange(req, change));
        applied++;
      }
      current = undefined;
      const release = req.deploy ? await this.deployRelease(ctx) : undefined;
      await this.record({
        events: [this.event(req, `${operation}.finished`, `${operation} finished: ${summaryText(p)}${release ? `; v${release.version} is live` : ''}`, { hash: p.hash, summary: p.summary, release })],
        audit: [this.audit(req, 'ok', { hash: p.hash, summary: p.summary, target: this.target.name, ...(release ? { release } : {}) })],
      });
      return { plan: p, applied, ...(release ? { release } : {}) };
    } catch (e) {
      const err = asWharfError(e);
      const failed = current ? `${current.op} ${current.address} failed` : `${operation} failed`;
      await this.record({
        events: [this.event(req, `${operation}.failed`, `${failed}: ${err.message}`, { applied, resource: current?.address })],
        audit: [this.audit(req, 'error', { error: err.code, resource: current?.address, applied })],
      }).catch(() => undefined);
      if (current && !(e instanceof WharfError)) {
        throw new WharfError('APPLY_FAILED', `${failed}: ${err.message}`, {
          hint: `${applied} change${applied === 1 ? ' was' : 's were'} applied and recorded; \`wharf plan\` shows what is left`,
          cause: e,
        });
      }
      throw err;
    } finally {
      await this.store.releaseLock(lock.scope, lock.token);
    }
  }

  private async deployRelease(ctx: TargetContext): Promise<{ version: number; rolledOut: boolean }> {
    if (!this.target.deploy) throw new WharfError('USAGE', `the ${this.target.name} target does not make releases`, { hint: 'use `wharf apply`' });
    const { release, rolledOut } = await this.target.deploy(ctx);
    return { version: release, rolledOut };
  }

  private recordChange(req: ApplyRequest, change: ResourceChange): ChangeSet {
    const { app, env } = req.desired;
    const event = this.event(req, `resource.${change.op}`, `${change.address} ${PAST[change.op]}`, { address: change.address, op: change.op });
    if (change.op === 'delete') return { deleteResources: [{ app, env, kind: change.kind, name: change.name }], events: [event] };
    return { putResources: [{ app, env, kind: change.kind, name: change.name, body: change.after, appliedAt: this.host.now() }], events: [event] };
  }

  private record(change: ChangeSet): Promise<void> {
    return this.store.commit(change);
  }

  private event(req: ApplyRequest, kind: string, message: string, data: unknown): NewEvent {
    return { time: this.host.now(), app: req.desired.app, env: req.desired.env, kind, message, data };
  }

  private audit(req: ApplyRequest, outcome: 'ok' | 'error', details: unknown): NewAudit {
    return { time: this.host.now(), actor: req.by.actor, client: req.by.client, operation: req.deploy ? 'deploy' : 'apply', app: req.desired.app, env: req.desired.env, outcome, details };
  }
}

const PAST: Record<ResourceChange['op'], string> = { create: 'created', update: 'updated', replace: 'replaced', delete: 'destroyed', noop: 'unchanged' };

function summaryText(p: Plan): string {
  const s = p.summary;
  return `${s.create} to add, ${s.update} to change, ${s.replace} to replace, ${s.delete} to destroy`;
}
