import { createHash } from 'node:crypto';
import type { Actor, ApplyRequest, ApplyResult } from '../apply/applier.js';
import { acquireEnvLock, type LockHost } from '../apply/env-lock.js';
import type { ConfigService } from '../config/config-service.js';
import { configForPlan } from '../config/config-view.js';
import type { Keyring } from '../config/keyring.js';
import { WharfError } from '../errors.js';
import { desiredState } from '../plan/desired.js';
import type { LoadedApp } from '../spec/load.js';
import type { AddonSpec } from '../spec/wharf-schema.js';
import { NAME } from '../spec/wharf-schema.js';
import { liveRelease, type Store } from '../state/store.js';
import type { EnvironmentRecord } from '../state/types.js';
import { envDiff, type DiffSide, type EnvDiff } from './env-diff.js';
import { environmentSpec } from './environment-spec.js';

/** Add-on data of environments; the add-ons component implements it (snapshot and restore). */
export interface AddonData {
  /** Loads `to`'s fresh add-on with a snapshot of `from`'s. */
  copyData(app: string, from: string, to: string, addon: string, spec: AddonSpec): Promise<void>;
  /** Detaches the environment's add-ons before its records go (their data is the add-ons component's business). */
  releaseAddons(app: string, env: string): Promise<void>;
}

export interface EnvManagerDeps {
  store: Store;
  apply: (req: ApplyRequest) => Promise<ApplyResult>;
  config: ConfigService;
  keyring: Keyring;
  /** Stops every instance of the environment (the fleet). */
  stopInstances: (app: string, env: string) => Promise<void>;
  addons: AddonData;
  lockHost: LockHost;
}

export interface CreateRequest {
  app: LoadedApp;
  name: string;
  from?: string | undefined;
  ttlMs?: number | undefined;
  /** Copy the source's secrets too (plain config is always copied). */
  withConfig: boolean;
  /** Load each fresh add-on with a snapshot of the source's. */
  withData: boolean;
  includeUncommitted?: boolean | undefined;
  by: Actor;
}

export interface CreateResult {
  environment: EnvironmentRecord;
  copied: string[];
  /** Secrets of the source not copied (no --with-config). */
  skipped: string[];
  applied: number;
}

/**
 * Environments as true copies (`wharf env create|clone|destroy|diff`). A new environment
 * is recorded, given the source's config, and deployed through the normal apply path
 * (add-ons provisioned fresh by it); if any step fails it is destroyed again, so a retry
 * starts clean.
 */
export class EnvManager {
  constructor(private readonly deps: EnvManagerDeps) {}

  async create(req: CreateRequest): Promise<CreateResult> {
    const { store, lockHost, config } = this.deps;
    const app = req.app.spec.app;
    const { name, from } = req;
    if (!NAME.pattern.test(name)) throw new WharfError('BAD_REQUEST', `"${name}" is not an environment name: expected ${NAME.expected}`);
    if (await store.getEnvironment(app, name)) {
      throw new WharfError('CONFLICT', `environment ${name} of ${app} exists already`, { hint: `choose another name, or \`wharf env destroy ${name} --confirm ${name}\` first` });
    }
    if (from === undefined && (req.withConfig || req.withData)) throw new WharfError('USAGE', '--with-config and --with-data copy from another environment: give it with --from');
    if (from !== undefined && !(await store.getEnvironment(app, from))) {
      throw new WharfError('ENV_NOT_FOUND', `environment ${from} of ${app} is not recorded, so there is nothing to copy`, { hint: `\`wharf env list\` shows the environments; \`wharf apply -e ${from}\` makes one` });
    }
    if (from === undefined && !req.app.environments.has(name)) {
      throw new WharfError('USAGE', `${req.app.file} has no overlay for ${name}, so it needs an environment to start from`, { hint: `e.g. wharf env create ${name} --from staging` });
    }
    const now = lockHost.now();
    const record: EnvironmentRecord = { app, name, ...(from ? { from } : {}), ...(req.ttlMs ? { expiresAt: now + req.ttlMs } : {}), createdAt: now };
    await store.ensureApp(app, now);
    await store.ensureEnvironment(record);
    try {
      const spec = await environmentSpec(req.app, name, store);
      const audit = { time: now, actor: req.by.actor, client: req.by.client, operation: 'env.create', app, env: name, outcome: 'ok' as const };
      await store.commit({
        events: [{ time: now, app, env: name, kind: 'env.created', message: `${name} created${from ? ` from ${from}` : ''} by ${req.by.actor}${record.expiresAt ? `, expires ${new Date(record.expiresAt).toISOString()}` : ''}`, data: { from, expiresAt: record.expiresAt } }],
      });
      const copy = from ? await config.entriesFor(app, from, name, req.withConfig) : { entries: [], skipped: [] };
      if (copy.entries.length) {
        await config.putCopy(app, name, copy.entries, `copied from ${from}`, { ...audit, operation: 'config.copy', details: { from, names: copy.entries.map((e) => e.name) } });
      }
      const current = (await store.getConfig(app, name))?.entries ?? [];
      const desired = desiredState(spec, configForPlan(current));
      const source = { dir: req.app.dir, environment: spec, includeUncommitted: req.includeUncommitted };
      let applied = 0;
      if (req.withData && from) {
        // The add-ons first, loaded with the source's data, and only then the release: its
        // release command and first instances must see the copied data, not an empty
        // database that the load would later swap from under their connections.
        applied += (await this.deps.apply({ desired: { ...desired, resources: desired.resources.filter((r) => r.kind !== 'service') }, from, source, by: req.by })).applied;
        for (const [addon, addonSpec] of Object.entries(spec.addons)) await this.deps.addons.copyData(app, from, name, addon, addonSpec);
      }
      applied += (await this.deps.apply({ desired, from, source, by: req.by })).applied;
      await store.appendAudit({ ...audit, time: lockHost.now(), details: { from, expiresAt: record.expiresAt, withConfig: req.withConfig, withData: req.withData, copied: copy.entries.map((e) => e.name), skipped: copy.skipped } });
      return { environment: (await store.getEnvironment(app, name))!, copied: copy.entries.map((e) => e.name), skipped: copy.skipped, applied };
    } catch (e) {
      // Nothing half-made stays: the name is free for the retry.
      await this.remove(app, name, req.by, `creating it failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`).catch(() => undefined);
      throw e;
    }
  }

  /** Stops its instances, lets go of its add-ons and removes its records; events and audit stay. */
  async destroy(app: string, name: string, confirm: string | undefined, by: Actor, reason?: string): Promise<void> {
    if (!(await this.deps.store.getEnvironment(app, name))) {
      throw new WharfError('ENV_NOT_FOUND', `environment ${name} of ${app} does not exist`, { hint: '`wharf env list` shows the environments' });
    }
    if (confirm !== name) {
      throw new WharfError('USAGE', `destroying ${app}/${name} needs its name as confirmation`, { hint: `wharf env destroy ${name} --confirm ${name}` });
    }
    await this.remove(app, name, by, reason);
  }

  async list(app: string): Promise<EnvironmentRecord[]> {
    return this.deps.store.listEnvironments(app);
  }

  async diff(app: string, a: string, b: string): Promise<EnvDiff> {
    return envDiff(await this.side(app, a), await this.side(app, b));
  }

  private async side(app: string, env: string): Promise<DiffSide> {
    const { store, keyring } = this.deps;
    if (!(await store.getEnvironment(app, env))) throw new WharfError('ENV_NOT_FOUND', `environment ${env} of ${app} does not exist`, { hint: '`wharf env list` shows the environments' });
    const config = new Map<string, string>();
    for (const e of (await store.getConfig(app, env))?.entries ?? []) {
      // Compared through a hash held only in memory: a secret's value never enters the result.
      const value = e.secret ? keyring.unseal({ app, env, name: e.name }, e.sealed) : e.value;
      config.set(e.name, createHash('sha256').update(value).digest('hex'));
    }
    const live = await liveRelease(store, app, env);
    return { env, resources: await store.listResources(app, env), config, live: live && { version: live.version, buildId: live.buildId, configVersion: live.configVersion } };
  }

  private async remove(app: string, name: string, by: Actor, reason: string | undefined): Promise<void> {
    const { store, lockHost } = this.deps;
    const lock = await acquireEnvLock(store, lockHost, app, name, by.actor, 'env.destroy');
    try {
      await this.deps.stopInstances(app, name);
      await this.deps.addons.releaseAddons(app, name);
      await store.destroyEnvironment(app, name);
      const now = lockHost.now();
      await store.commit({
        events: [{ time: now, app, env: name, kind: 'env.destroyed', message: `${name} destroyed by ${by.actor}${reason ? `: ${reason}` : ''}`, data: { reason } }],
        audit: [{ time: now, actor: by.actor, client: by.client, operation: 'env.destroy', app, env: name, outcome: 'ok', details: { reason } }],
      });
    } finally {
      await store.releaseLock(lock.scope, lock.token);
    }
  }
}
