import type { AutoscaleStatus } from '../autoscale/controller-status.js';
import type { Plan } from '../plan/types.js';
import type { AuditRecord, EnvironmentRecord, EventRecord, LockRecord, ResourceRecord, AppRecord } from '../state/types.js';
import type { InstanceView } from '../deploy/fleet.js';
import type { MetricsSnapshot } from '../router/metrics.js';
import type { LogLine } from '../runtime/index.js';
import type { ReleaseRecord } from '../state/types.js';
import type { ApiTransport } from './transport.js';
import type { RolloutProgress } from '../deploy/rollout/types.js';
import { ERROR_CODES, WharfError, type ErrorCode } from '../errors.js';
import type { AddonView } from '../addons/addon-manager.js';
import type { BackupRecord } from '../state/types.js';
import type { ConfigListing } from '../config/config-view.js';
import type { ConfigChangeResult } from '../config/config-service.js';
import type { EnvDiff } from '../envs/env-diff.js';
import type { CreateResult } from '../envs/env-manager.js';

export interface AppRef {
  /** Absolute path of the app folder. */
  dir: string;
  env?: string | undefined;
}

export interface Status {
  ok: boolean;
  version: string;
  pid: number;
  dataDir: string;
  startedAt: number;
  /** The router the daemon runs, if any: where routed HTTP is served. */
  router: {
    pid: number | undefined;
    listen: { host: string; port: number };
    /** The CPU class of its event loop. */
    cpu: 'real-time' | 'normal';
    /** Why it is not real-time, when that was asked for and refused. */
    problem?: string | undefined;
  } | null;
}

export interface TimelineQuery {
  app?: string | undefined;
  env?: string | undefined;
  limit?: number | undefined;
  after?: number | undefined;
}

type PublicLock = Omit<LockRecord, 'token'>;

/** The typed control API: every call the CLI, the dashboard and Slack make goes through here. */
export class WharfClient {
  readonly addons: AddonsClient;

  constructor(readonly transport: ApiTransport) {
    this.addons = new AddonsClient(transport);
  }

  status(): Promise<Status> {
    return this.transport.request('GET', '/v1/status');
  }

  validate(ref: AppRef): Promise<{ app: string; file: string; environments: string[]; notes: string[] }> {
    return this.transport.request('POST', '/v1/validate', ref);
  }

  plan(ref: AppRef): Promise<{ plan: Plan }> {
    return this.transport.request('POST', '/v1/plan', ref);
  }

  /** The plan rendered by the daemon as `wharf plan` prints it, without the plan's data. */
  planText(ref: AppRef & { color: boolean }): Promise<PlanText> {
    return this.transport.request('POST', '/v1/plan', { ...ref, format: 'text' });
  }

  /** `includeUncommitted`: in a git checkout, build the working tree rather than HEAD. */
  apply(ref: AppRef & { expectHash?: string | undefined; includeUncommitted?: boolean | undefined }): Promise<{ plan: Plan; applied: number }> {
    return this.transport.request('POST', '/v1/apply', ref);
  }

  apps(): Promise<{ apps: AppRecord[] }> {
    return this.transport.request('GET', '/v1/apps');
  }

  environments(app: string): Promise<{ environments: EnvironmentRecord[] }> {
    return this.transport.request('GET', `/v1/apps/${encodeURIComponent(app)}/envs`);
  }

  resources(app: string, env: string): Promise<{ resources: ResourceRecord[] }> {
    return this.transport.request('GET', `${envPath(app, env)}/resources`);
  }

  events(q: TimelineQuery = {}): Promise<{ events: EventRecord[] }> {
    return this.transport.request('GET', `/v1/events${queryString(q)}`);
  }

  /** Follows new events (after the recent ones) until `signal` aborts. */
  followEvents(q: TimelineQuery, onEvent: (e: EventRecord) => void, signal: AbortSignal): Promise<void> {
    return this.transport.stream(`/v1/events/stream${queryString(q)}`, (sse) => onEvent(JSON.parse(sse.data) as EventRecord), signal);
  }

  audit(q: TimelineQuery = {}): Promise<{ audit: AuditRecord[] }> {
    return this.transport.request('GET', `/v1/audit${queryString(q)}`);
  }

  lock(app: string, env: string): Promise<{ lock: PublicLock | null }> {
    return this.transport.request('GET', `${envPath(app, env)}/lock`);
  }

  releaseLock(app: string, env: string): Promise<{ released: PublicLock }> {
    return this.transport.request('DELETE', `${envPath(app, env)}/lock`);
  }

  restartRouter(): Promise<{ pid: number }> {
    return this.transport.request('POST', '/v1/router/restart');
  }

  routerMetrics(): Promise<{ metrics: MetricsSnapshot | null }> {
    return this.transport.request('GET', '/v1/router/metrics');
  }

  instances(app: string, env: string): Promise<{ instances: InstanceView[] }> {
    return this.transport.request('GET', `${envPath(app, env)}/instances`);
  }

  releases(app: string, env: string, limit?: number): Promise<{ releases: Omit<ReleaseRecord, 'spec'>[] }> {
    return this.transport.request('GET', `${envPath(app, env)}/releases${queryString({ limit })}`);
  }

  logs(app: string, env: string, q: LogQueryParams = {}): Promise<{ lines: LogLine[] }> {
    return this.transport.request('GET', `${envPath(app, env)}/logs${queryString(q)}`);
  }

  /** The last `tail` lines, then new ones as they are written, until `signal` aborts. */
  followLogs(app: string, env: string, q: LogQueryParams, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    return this.transport.stream(`${envPath(app, env)}/logs/stream${queryString(q)}`, (e) => onLine(JSON.parse(e.data) as LogLine), signal);
  }

  scale(app: string, env: string, counts: Record<string, number>): Promise<{ scaled: Record<string, { from: number; to: number }> }> {
    return this.transport.request('POST', `${envPath(app, env)}/scale`, { counts });
  }

  /** The autoscaler's view of the environment's autoscaled services (`wharf autoscale status`). */
  autoscaleStatus(app: string, env: string): Promise<{ running: boolean; services: AutoscaleStatus[] }> {
    return this.transport.request('GET', `${envPath(app, env)}/autoscale`);
  }

  restart(app: string, env: string, service?: string): Promise<{ restarted: number }> {
    return this.transport.request('POST', `${envPath(app, env)}/restart`, { service });
  }

  /** The spec's env merged with the set config; secrets masked unless `reveal` (audited). */
  config(app: string, env: string, q: { dir?: string | undefined; reveal?: boolean | undefined } = {}): Promise<{ configVersion: number; vars: ConfigListing[] }> {
    return this.transport.request('GET', `${envPath(app, env)}/config${queryString(q)}`);
  }

  configGet(app: string, env: string, name: string, q: { dir?: string | undefined; reveal?: boolean | undefined } = {}): Promise<{ var: ConfigListing }> {
    return this.transport.request('GET', `${envPath(app, env)}/config/${encodeURIComponent(name)}${queryString(q)}`);
  }

  /** Sets variables: a new config version, rolled out as a new release when the environment runs one. */
  configSet(app: string, env: string, vars: { name: string; value: string; secret: boolean }[], dir?: string): Promise<ConfigChangeResult> {
    return this.transport.request('POST', `${envPath(app, env)}/config`, { vars, dir });
  }

  configUnset(app: string, env: string, names: string[]): Promise<ConfigChangeResult> {
    return this.transport.request('POST', `${envPath(app, env)}/config/unset`, { names });
  }

  rotateKey(): Promise<{ from: string; to: string; values: number }> {
    return this.transport.request('POST', '/v1/secrets/rotate-key');
  }

  createEnvironment(app: string, body: CreateEnvironmentBody): Promise<CreateResult> {
    return this.transport.request('POST', `/v1/apps/${encodeURIComponent(app)}/envs`, body);
  }

  destroyEnvironment(app: string, env: string, confirm: string | undefined): Promise<{ destroyed: string }> {
    return this.transport.request('POST', `${envPath(app, env)}/destroy`, { confirm });
  }

  diffEnvironments(app: string, a: string, b: string): Promise<{ diff: EnvDiff }> {
    return this.transport.request('GET', `${envPath(app, a)}/diff/${encodeURIComponent(b)}`);
  }

  /** Releases the app's source as it is and rolls it out, streaming the progress. */
  deploy(ref: AppRef & { strategy?: string | undefined; includeUncommitted?: boolean }, onLine: (line: DeployLine) => void): Promise<DeployResult> {
    return streamed(this.transport, '/v1/deploy', ref, onLine);
  }

  /** `issuedMsAgo`: how long the command has run (a warm rollback has a second from when it was issued). */
  rollback(app: string, env: string, to: string | undefined, onLine: (line: DeployLine) => void, issuedMsAgo?: number): Promise<{ from: number; to: number; warm: boolean; switchMs: number; sinceCommandMs: number }> {
    return streamed(this.transport, `${envPath(app, env)}/rollback`, { ...(to ? { to } : {}), ...(issuedMsAgo === undefined ? {} : { issuedMsAgo }) }, onLine);
  }

  promote(app: string, env: string): Promise<RolloutSummary> {
    return this.transport.request('POST', `${envPath(app, env)}/promote`, {});
  }

  abort(app: string, env: string): Promise<RolloutSummary> {
    return this.transport.request('POST', `${envPath(app, env)}/abort`, {});
  }

  rollout(app: string, env: string): Promise<{ rollout: RolloutSummary | null }> {
    return this.transport.request('GET', `${envPath(app, env)}/rollout`);
  }

  /** Runs a one-off command; its output arrives through `onOutput`; resolves its exit status. */
  async run(app: string, env: string, command: string, service: string | undefined, onOutput: (data: Buffer, stream: 'stdout' | 'stderr') => void, signal?: AbortSignal): Promise<number> {
    let status: number | undefined;
    await this.transport.requestLines('POST', `${envPath(app, env)}/run`, { command, service }, (line) => {
      const msg = JSON.parse(line) as { stream?: 'stdout' | 'stderr'; data?: string; exit?: number; error?: { code: string; message: string } };
      if (msg.data !== undefined && msg.stream) onOutput(Buffer.from(msg.data, 'base64'), msg.stream);
      if (msg.exit !== undefined) status = msg.exit;
      if (msg.error) throw new Error(msg.error.message);
    }, signal);
    if (status === undefined) throw new Error('the one-off process ended without an exit status');
    return status;
  }
}

/** POST /v1/plan with `format: "text"`: the rendered plan, and what a caller decides on. */
export interface PlanText {
  app: string;
  env: string;
  text: string;
  /** Whether apply would change anything (`wharf plan` exits 2). */
  changes: boolean;
  summary: Plan['summary'];
  hash: string;
}

/** A line of `wharf deploy` / `wharf rollback` progress, as the daemon streams it. */
export type DeployLine = { progress: RolloutProgress } | { output: { stream: string; text: string } };

export interface DeployResult {
  plan: Plan;
  applied: number;
  release?: { version: number; rolledOut: boolean } | undefined;
}

/** A rollout under way, as the daemon reports it. */
export interface RolloutSummary {
  app: string;
  env: string;
  release: number;
  stable: number | undefined;
  strategies: Record<string, string>;
  startedAt: number;
  by: string;
  aborted?: string | undefined;
  promoted?: string | undefined;
}

/**
 * Reads a streamed answer of JSON lines: each progress or output line to `onLine`, then the
 * result; an error line becomes the WharfError it carries (code, hint and all).
 */
async function streamed<T>(transport: ApiTransport, path: string, body: unknown, onLine: (line: DeployLine) => void): Promise<T> {
  let result: T | undefined;
  let failure: WharfError | undefined;
  await transport.requestLines('POST', path, body, (raw) => {
    const msg = JSON.parse(raw) as { result?: T; error?: { code: string; message: string; hint?: string; details?: unknown } } & Partial<DeployLine>;
    if (msg.error) {
      const code = (msg.error.code in ERROR_CODES ? msg.error.code : 'INTERNAL') as ErrorCode;
      failure = new WharfError(code, msg.error.message, { hint: msg.error.hint, details: msg.error.details });
    } else if (msg.result !== undefined) result = msg.result;
    else onLine(msg as DeployLine);
  });
  if (failure) throw failure;
  if (result === undefined) throw new WharfError('DAEMON_UNREACHABLE', 'the daemon stopped answering before the end', { hint: '`wharf events` shows how far it got' });
  return result;
}

/** The add-on calls (`wharf addons …`), kept apart from the class so its merge stays one line. */
export class AddonsClient {
  constructor(private readonly transport: ApiTransport) {}

  list(app: string, env: string): Promise<{ addons: AddonView[] }> {
    return this.transport.request('GET', `${envPath(app, env)}/addons`);
  }

  /** With `reveal`, the variables carry the password (the request is audited). */
  info(app: string, env: string, name: string, reveal = false): Promise<{ addon: AddonView & { vars: Record<string, string> } }> {
    return this.transport.request('GET', `${addonPath(app, env, name)}${reveal ? '?reveal=1' : ''}`);
  }

  backups(app: string, env: string, name: string): Promise<{ backups: BackupRecord[] }> {
    return this.transport.request('GET', `${addonPath(app, env, name)}/backups`);
  }

  backup(app: string, env: string, name: string, verify: boolean): Promise<{ backup: BackupRecord }> {
    return this.transport.request('POST', `${addonPath(app, env, name)}/backups`, { verify });
  }

  verify(app: string, env: string, name: string, id: string): Promise<{ backup: BackupRecord }> {
    return this.transport.request('POST', `${addonPath(app, env, name)}/backups/${encodeURIComponent(id)}/verify`);
  }

  restore(app: string, env: string, name: string, backup: string): Promise<{ backup: BackupRecord; kept?: string }> {
    return this.transport.request('POST', `${addonPath(app, env, name)}/restore`, { backup });
  }

  destroy(app: string, env: string, name: string, options: { purge: boolean; confirm?: string | undefined }): Promise<{ action: 'detach' | 'purge'; addon: AddonView }> {
    return this.transport.request('POST', `${addonPath(app, env, name)}/destroy`, options);
  }

  /** Loads `fromEnv`'s add-on data into `env`'s add-on of the same name (`env clone --with-data`). */
  copyFrom(app: string, env: string, name: string, fromEnv: string): Promise<{ backup: BackupRecord }> {
    return this.transport.request('POST', `${addonPath(app, env, name)}/copy-from`, { env: fromEnv });
  }
}

function addonPath(app: string, env: string, name: string): string {
  return `${envPath(app, env)}/addons/${encodeURIComponent(name)}`;
}

/** What `env create` / `env clone` sends; `dir` is the app folder (absolute). */
export interface CreateEnvironmentBody {
  dir: string;
  name: string;
  from?: string | undefined;
  ttlMs?: number | undefined;
  withConfig?: boolean | undefined;
  withData?: boolean | undefined;
}

export interface LogQueryParams {
  service?: string | undefined;
  since?: number | undefined;
  tail?: number | undefined;
}

function envPath(app: string, env: string): string {
  return `/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}`;
}

function queryString(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q) as [string, unknown][]) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
