/**
 * Add-ons per environment: provisions them on Wharf's own servers or external ones,
 * detaches, purges, and hands out the variables apps connect with. It records every
 * state change (AddonRecord's state machine is drawn in state/types.ts) and tells the
 * timeline; the control API audits the operations people ask for.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_ADDON_PASSWORD_BYTES } from '../defaults.js';
import { WharfError, asWharfError } from '../errors.js';
import type { AddonSpec } from '../spec/wharf-schema.js';
import type { Store } from '../state/store.js';
import type { AddonRecord, AddonType } from '../state/types.js';
import type { AddonServers } from './addon-servers.js';
import { attachmentVars } from './attachment-vars.js';
import { decideDestroy, type DestroyRequest } from './destroy-policy.js';
import { parseAdminUrl, type AdminEndpoint } from './endpoint.js';
import type { AddonEngine, OpenConnection } from './engine.js';
import { addressLabel, type AddonAddress } from './names.js';
import type { Sealer } from './sealer.js';

export interface AddonManagerDeps {
  store: Store;
  sealer: Sealer;
  servers: AddonServers;
  engines: Record<AddonType, AddonEngine>;
  /**
   * Reads the variable an external add-on's `admin_url_from` names. The daemon looks in the
   * environment's config (once the config branch lands), then in its own environment.
   */
  resolveVariable: (app: string, env: string, key: string) => Promise<string | undefined>;
  now: () => number;
  /** Called after each provisioning step; tests stop a server here to fail one mid-way. */
  afterStep?: (step: string) => Promise<void>;
}

/** An add-on as shown to people: no password, sealed or not. */
export type AddonView = Omit<AddonRecord, 'connection'> & { connection: Omit<AddonRecord['connection'], 'sealedPassword'> };

/** What an operation on one add-on needs: its record, engine, admin login and opened connection. */
export interface AddonAccess {
  record: AddonRecord;
  engine: AddonEngine;
  admin: AdminEndpoint;
  conn: OpenConnection;
}

export class AddonManager {
  constructor(private readonly deps: AddonManagerDeps) {}

  /**
   * Makes the add-on real and attached, or brings it back: a retry after a failure, a
   * re-attach after a detach, a change of server port all land here and converge.
   */
  async ensure(app: string, env: string, name: string, spec: AddonSpec): Promise<AddonRecord> {
    const { store, sealer, now } = this.deps;
    const existing = await store.getAddon(app, env, name);
    const mode = spec.external ? 'external' : 'managed';
    if (existing && (existing.type !== spec.type || existing.mode !== mode)) {
      throw new WharfError('CONFLICT', `add-on ${addressLabel({ app, env, name })} is a ${existing.mode} ${existing.type} add-on with its data; the spec now asks for a ${mode} ${spec.type} one`, {
        hint: `Give the new add-on another name, or remove this one first: \`wharf addons destroy ${name} -e ${env} --purge --confirm ${app}\` (after a backup).`,
      });
    }
    const address = { app, env, name };
    const engine = this.deps.engines[spec.type];
    const adminUrlFrom = spec.external?.admin_url_from;
    const admin = await this.admin(spec.type, address, adminUrlFrom);
    if (spec.version !== undefined) await this.checkVersion(engine, admin, address, spec.version);
    const password = existing ? sealer.open(existing.connection.sealedPassword, sealContext(address)) : randomBytes(DEFAULT_ADDON_PASSWORD_BYTES).toString('base64url');
    const location = engine.locate(address, admin);
    const record: AddonRecord = {
      app, env, name, type: spec.type, mode, state: 'provisioning',
      connection: { ...location, sealedPassword: existing?.connection.sealedPassword ?? sealer.seal(password, sealContext(address)) },
      ...(adminUrlFrom ? { adminUrlFrom } : {}),
      createdAt: existing?.createdAt ?? now(), updatedAt: now(),
    };
    await store.putAddon(record);
    try {
      await engine.provision(admin, { ...location, password }, this.deps.afterStep);
    } catch (e) {
      const err = asWharfError(e, 'TARGET_FAILED');
      await store.putAddon({ ...record, state: 'failed', reason: err.message, updatedAt: now() });
      await this.event(address, 'addon.failed', `add-on ${name} (${spec.type}) could not be provisioned: ${err.message}`);
      throw err;
    }
    const attached: AddonRecord = { ...record, state: 'attached', updatedAt: now() };
    await store.putAddon(attached);
    const verb = existing?.state === 'attached' ? 'checked' : existing?.state === 'detached' ? 're-attached' : 'provisioned';
    await this.event(address, 'addon.attached', `add-on ${name} (${mode} ${spec.type}) ${verb}`, { verb, database: location.database, keyPrefix: location.keyPrefix });
    return attached;
  }

  /** Login off, data kept; re-adding the add-on to the spec re-attaches the same data. */
  async detach(app: string, env: string, name: string, reason: string): Promise<AddonRecord> {
    const { record, engine, admin } = await this.access(app, env, name);
    await engine.detach(admin, record.connection);
    const detached: AddonRecord = { ...record, state: 'detached', reason, updatedAt: this.deps.now() };
    await this.deps.store.putAddon(detached);
    await this.event(record, 'addon.detached', `add-on ${name} detached (${reason}); its data is kept`);
    return detached;
  }

  /** `wharf addons destroy`: detach, or with --purge and the app's name, delete the data too. */
  async destroy(req: DestroyRequest, by: string): Promise<{ action: 'detach' | 'purge'; addon: AddonView }> {
    const action = decideDestroy(req);
    if (action === 'detach') return { action, addon: view(await this.detach(req.app, req.env, req.name, `destroyed by ${by}`)) };
    const { record, engine, admin } = await this.access(req.app, req.env, req.name);
    await engine.purge(admin, record.connection);
    await this.deps.store.deleteAddon(req.app, req.env, req.name);
    await this.event(record, 'addon.purged', `add-on ${req.name} purged by ${by}: its data is deleted`);
    return { action, addon: view(record) };
  }

  async list(app: string, env?: string): Promise<AddonView[]> {
    return (await this.deps.store.listAddons({ app, ...(env ? { env } : {}) })).map(view);
  }

  /** One add-on; its variables with the password only when `reveal` (the route checks who may). */
  async info(app: string, env: string, name: string, reveal: boolean): Promise<AddonView & { vars: Record<string, string> }> {
    const { record, engine, conn } = await this.access(app, env, name);
    const { url, extra } = engine.vars(reveal ? conn : { ...conn, password: '********' });
    return { ...view(record), vars: { URL: url, ...extra } };
  }

  /** The variables the environment's attached add-ons give its apps, passwords opened. */
  async varsFor(app: string, env: string): Promise<Record<string, string>> {
    const attached = (await this.deps.store.listAddons({ app, env })).filter((a) => a.state === 'attached');
    const vars = [];
    for (const record of attached) {
      const engine = this.deps.engines[record.type];
      const location = record.mode === 'managed' ? engine.locate(record, await this.deps.servers.managed(record.type)) : record.connection;
      vars.push({ name: record.name, type: record.type, ...engine.vars({ ...location, password: this.open(record) }) });
    }
    return attachmentVars(vars);
  }

  /** What an operation on a recorded add-on needs; NOT_FOUND names the add-ons there are. */
  async access(app: string, env: string, name: string): Promise<AddonAccess> {
    const record = await this.deps.store.getAddon(app, env, name);
    if (!record) {
      const names = (await this.deps.store.listAddons({ app, env })).map((a) => a.name);
      throw new WharfError('NOT_FOUND', `${app}/${env} has no add-on "${name}"`, {
        hint: names.length ? `Its add-ons: ${names.join(', ')}.` : `Declare it under addons: in wharf.yaml and run \`wharf apply -e ${env}\`.`,
      });
    }
    const engine = this.deps.engines[record.type];
    const admin = await this.admin(record.type, record, record.adminUrlFrom);
    // A managed server may have come back on another port: the record follows it.
    const location = record.mode === 'managed' ? engine.locate(record, admin) : record.connection;
    return { record, engine, admin, conn: { ...location, password: this.open(record) } };
  }

  async event(a: AddonAddress, kind: string, message: string, data?: unknown): Promise<void> {
    await this.deps.store.appendEvent({ time: this.deps.now(), app: a.app, env: a.env, kind, message, data: { addon: a.name, ...(data as object) } });
  }

  /** A spec that asks for a version the server does not run is refused before anything is made. */
  private async checkVersion(engine: AddonEngine, admin: AdminEndpoint, a: AddonAddress, wanted: string): Promise<void> {
    const actual = await engine.version(admin);
    if (!versionMatches(wanted, actual)) {
      throw new WharfError('TARGET_FAILED', `add-on ${a.name} asks for ${engine.type} ${wanted}, but the server runs ${actual}`, {
        hint: `Set addons.${a.name}.version to "${actual.split('.')[0]}" (or remove it), or point the add-on at a ${engine.type} ${wanted} server with external.admin_url_from.`,
      });
    }
  }

  private open(record: AddonRecord): string {
    return this.deps.sealer.open(record.connection.sealedPassword, sealContext(record));
  }

  private async admin(type: AddonType, a: AddonAddress, adminUrlFrom: string | undefined): Promise<AdminEndpoint> {
    if (!adminUrlFrom) return this.deps.servers.managed(type);
    const raw = await this.deps.resolveVariable(a.app, a.env, adminUrlFrom);
    if (raw === undefined || raw === '') {
      throw new WharfError('BAD_REQUEST', `add-on ${a.name}: external.admin_url_from names ${adminUrlFrom}, which is set neither in the config of ${a.app}/${a.env} nor in the daemon's environment`, {
        hint: `Set it as a secret: \`wharf config set -e ${a.env} ${adminUrlFrom}=… --secret\`.`,
      });
    }
    return parseAdminUrl(type, raw, adminUrlFrom);
  }
}

/** "15" matches 15.x, "7.2" matches 7.2.x: the version's parts are a prefix of the server's. */
export function versionMatches(wanted: string, actual: string): boolean {
  const have = actual.split('.');
  return wanted.split('.').every((part, i) => Number(part) === Number(have[i]));
}

/** The sealing context: a sealed password opens only on its own add-on's record. */
export function sealContext(a: AddonAddress): string {
  return `addon:${a.app}/${a.env}/${a.name}`;
}

export function view(record: AddonRecord): AddonView {
  const { sealedPassword: _sealed, ...connection } = record.connection;
  return { ...record, connection };
}
