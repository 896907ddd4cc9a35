import type { Plan } from '../plan/types.js';
import type { AuditRecord, EnvironmentRecord, EventRecord, LockRecord, ResourceRecord, AppRecord } from '../state/types.js';
import type { ApiTransport } from './transport.js';

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
  constructor(readonly transport: ApiTransport) {}

  status(): Promise<Status> {
    return this.transport.request('GET', '/v1/status');
  }

  validate(ref: AppRef): Promise<{ app: string; file: string; environments: string[]; notes: string[] }> {
    return this.transport.request('POST', '/v1/validate', ref);
  }

  plan(ref: AppRef): Promise<{ plan: Plan }> {
    return this.transport.request('POST', '/v1/plan', ref);
  }

  apply(ref: AppRef & { expectHash?: string | undefined }): Promise<{ plan: Plan; applied: number }> {
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
}

function envPath(app: string, env: string): string {
  return `/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}`;
}

function queryString(q: TimelineQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
