import type { Actor } from '../apply/applier.js';
import { acquireEnvLock, type LockHost } from '../apply/env-lock.js';
import { WharfError } from '../errors.js';
import { liveRelease, type Store } from '../state/store.js';
import type { ConfigEntry, NewAudit, ReleaseRecord } from '../state/types.js';
import { checkAssignments, checkNames, type Assignment } from './config-rules.js';
import { configForPlan, configListing, nextEntries, type ConfigListing } from './config-view.js';
import { snapshotOf } from '../deploy/release-snapshot.js';
import type { Keyring } from './keyring.js';
import { Serial } from './serial.js';

/**
 * Moves an environment to a release with each service's strategy and marks it live, or
 * rolls it back and fails it; the deploy engine implements it. Called under the environment's lock.
 */
export interface ReleaseRollout {
  rollOut(release: ReleaseRecord, by: Actor): Promise<void>;
}

/** Makes the release a config change needs: the live release's builds and spec with the new config version. */
export interface ConfigReleases {
  configRelease(live: ReleaseRecord, configVersion: number, description: string): Promise<ReleaseRecord>;
}

export interface ConfigServiceDeps {
  store: Store;
  keyring: Keyring;
  releases: ConfigReleases;
  rollout: ReleaseRollout;
  lockHost: LockHost;
}

export interface ConfigChangeResult {
  configVersion: number;
  /** The release that rolled the change out; absent when the environment had no live release yet. */
  release?: number | undefined;
}

/**
 * Config vars and secrets of environments (Heroku's semantics): each change writes a
 * complete new config version and, when the environment runs a release, makes a new
 * release of the same builds and spec with that config and rolls it out. Secrets are
 * sealed before they reach the store; listings mask them unless asked to reveal, which is
 * audited; events and audit entries hold names and keyed digests, never values.
 */
export class ConfigService {
  /** Sealing and key rotation never interleave: a value sealed under the old key mid-rotation would be lost to it. */
  private readonly sealing = new Serial();

  constructor(private readonly deps: ConfigServiceDeps) {}

  async list(app: string, env: string, opts: { specEnv: Record<string, string>; reveal: boolean; by: Actor }): Promise<{ configVersion: number; vars: ConfigListing[] }> {
    const config = await this.deps.store.getConfig(app, env);
    const entries = config?.entries ?? [];
    const reveal = opts.reveal ? (e: ConfigEntry & { secret: true }) => this.deps.keyring.unseal({ app, env, name: e.name }, e.sealed) : undefined;
    const vars = configListing(opts.specEnv, entries, reveal);
    if (opts.reveal) await this.auditReveal(app, env, entries.filter((e) => e.secret).map((e) => e.name), opts.by);
    return { configVersion: config?.version ?? 0, vars };
  }

  /** One variable; NOT_FOUND when neither set nor in the spec. */
  async get(app: string, env: string, name: string, opts: { specEnv: Record<string, string>; reveal: boolean; by: Actor }): Promise<ConfigListing> {
    checkNames([name], `${app}/${env}`);
    const entries = (await this.deps.store.getConfig(app, env))?.entries.filter((e) => e.name === name) ?? [];
    const spec = Object.hasOwn(opts.specEnv, name) ? { [name]: opts.specEnv[name]! } : {};
    const reveal = opts.reveal ? (e: ConfigEntry & { secret: true }) => this.deps.keyring.unseal({ app, env, name: e.name }, e.sealed) : undefined;
    const [found] = configListing(spec, entries, reveal);
    if (!found) throw new WharfError('NOT_FOUND', `${name} is not set in ${app}/${env}, nor in the spec's env:`, { hint: `\`wharf config -e ${env}\` lists what is` });
    if (opts.reveal && found.secret) await this.auditReveal(app, env, [name], opts.by);
    return found;
  }

  async set(app: string, env: string, assignments: Assignment[], by: Actor, opts: { declared: boolean }): Promise<ConfigChangeResult> {
    checkAssignments(assignments, `${app}/${env}`);
    const { store, lockHost } = this.deps;
    if (opts.declared) {
      // Config may be set before the first deploy (a secret the app needs to boot).
      await store.ensureApp(app, lockHost.now());
      await store.ensureEnvironment({ app, name: env, createdAt: lockHost.now() });
    }
    return this.change(app, env, by, 'config.set', (current) => {
      const set = assignments.map((a) => this.entry(app, env, a, current));
      const described = set.map((e) => `${e.name}${e.secret ? ' (secret)' : ''}`).join(', ');
      return { entries: nextEntries(current, set), description: `set ${described}`, details: { set: set.map((e) => this.auditOf(e)) } };
    });
  }

  async unset(app: string, env: string, names: string[], by: Actor): Promise<ConfigChangeResult> {
    checkNames(names, `${app}/${env}`);
    return this.change(app, env, by, 'config.unset', (current) => {
      const missing = names.filter((n) => !current.some((e) => e.name === n));
      if (missing.length) {
        throw new WharfError('NOT_FOUND', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set in ${app}/${env}`, { hint: `\`wharf config -e ${env}\` lists what is set (the spec's env: is changed in wharf.yaml)` });
      }
      return { entries: nextEntries(current, [], names), description: `unset ${names.join(', ')}`, details: { unset: names } };
    });
  }

  /** The latest config of `from` as entries for `to`: secrets re-sealed for their new address, or left out. */
  async entriesFor(app: string, from: string, to: string, withSecrets: boolean): Promise<{ entries: ConfigEntry[]; skipped: string[] }> {
    const { keyring } = this.deps;
    const entries: ConfigEntry[] = [];
    const skipped: string[] = [];
    for (const e of (await this.deps.store.getConfig(app, from))?.entries ?? []) {
      if (!e.secret) entries.push(e);
      else if (!withSecrets) skipped.push(e.name);
      else entries.push({ ...e, sealed: keyring.seal({ app, env: to, name: e.name }, keyring.unseal({ app, env: from, name: e.name }, e.sealed)) });
    }
    return { entries, skipped };
  }

  /** Writes a config version as-is (a clone's copy), serialised with sealing. */
  async putCopy(app: string, env: string, entries: ConfigEntry[], description: string, audit: NewAudit): Promise<number> {
    return this.sealing.run(async () => (await this.deps.store.putConfigVersion({ app, env, description, entries }, this.deps.lockHost.now(), { audit: [audit] })).version);
  }

  async rotateKey(by: Actor): Promise<{ from: string; to: string; values: number }> {
    return this.sealing.run(() => this.deps.keyring.rotate(this.deps.store, by, this.deps.lockHost.now));
  }

  private entry(app: string, env: string, a: Assignment, current: readonly ConfigEntry[]): ConfigEntry {
    // A secret stays a secret when set again without --secret: never unmask by omission.
    const secret = a.secret || current.some((e) => e.name === a.name && e.secret);
    if (!secret) return { name: a.name, secret: false, value: a.value };
    const { keyring } = this.deps;
    return { name: a.name, secret: true, sealed: keyring.seal({ app, env, name: a.name }, a.value), digest: keyring.digest(a.value) };
  }

  /** What the audit log keeps of a set value: its name and a keyed hash, never the value. */
  private auditOf(e: ConfigEntry): { name: string; secret: boolean; digest: string } {
    return { name: e.name, secret: e.secret, digest: e.secret ? e.digest : this.deps.keyring.digest(e.value) };
  }

  private async change(
    app: string,
    env: string,
    by: Actor,
    operation: string,
    make: (current: ConfigEntry[]) => { entries: ConfigEntry[]; description: string; details: object },
  ): Promise<ConfigChangeResult> {
    const { store, lockHost, releases, rollout } = this.deps;
    const now = lockHost.now;
    const lock = await acquireEnvLock(store, lockHost, app, env, by.actor, operation);
    try {
      const written = await this.sealing.run(async () => {
        const current = (await store.getConfig(app, env))?.entries ?? [];
        const next = make(current);
        const config = await store.putConfigVersion({ app, env, description: next.description, entries: next.entries }, now(), {
          events: [{ time: now(), app, env, kind: operation, message: `config: ${next.description} by ${by.actor}`, data: { ...next.details } }],
          audit: [{ time: now(), actor: by.actor, client: by.client, operation, app, env, outcome: 'ok', details: next.details }],
        });
        return { config, description: next.description };
      });
      const configVersion = written.config.version;
      const live = await liveRelease(store, app, env);
      if (!live) return { configVersion };
      const release = await releases.configRelease(live, configVersion, `config v${configVersion}: ${written.description}`);
      await rollout.rollOut(release, by);
      await this.recordInResources(release, written.config.entries);
      return { configVersion, release: release.version };
    } catch (e) {
      await store.appendAudit({ time: now(), actor: by.actor, client: by.client, operation, app, env, outcome: 'error', details: { error: e instanceof WharfError ? e.code : 'INTERNAL' } }).catch(() => undefined);
      throw e;
    } finally {
      await store.releaseLock(lock.scope, lock.token);
    }
  }

  /**
   * The recorded service resources take the env that is now live (the release's spec env
   * with the set values, secrets as digests), so that `wharf plan` shows no change for
   * what the config change already made real.
   */
  private async recordInResources(release: ReleaseRecord, entries: ConfigEntry[]): Promise<void> {
    const { store, lockHost } = this.deps;
    const services = snapshotOf(release).environment.services;
    const { env } = configForPlan(entries);
    const putResources = (await store.listResources(release.app, release.env))
      .filter((r) => r.kind === 'service' && services[r.name] !== undefined)
      .map((r) => ({ ...r, body: { ...(r.body as object), env: { ...services[r.name]!.env, ...env } }, appliedAt: lockHost.now() }));
    if (putResources.length) await store.commit({ putResources });
  }

  private async auditReveal(app: string, env: string, names: string[], by: Actor): Promise<void> {
    await this.deps.store.appendAudit({ time: this.deps.lockHost.now(), actor: by.actor, client: by.client, operation: 'config.reveal', app, env, outcome: 'ok', details: { names } });
  }
}
