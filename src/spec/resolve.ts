import { setOwn } from '../_util/own.js';
import { DEFAULT_HOST_SUFFIX } from '../defaults.js';
import type { AddonSpec, ServiceSpec, Spec } from './wharf-schema.js';

export interface ResolvedRoute {
  host: string;
  path: string;
  https_redirect: boolean;
  tls?: { cert: string; key: string } | undefined;
  /** The service's own `<service>.<env>.<app>.localhost` route, added by Wharf. */
  implicit: boolean;
}

export interface ResolvedService extends Omit<ServiceSpec, 'routes' | 'env'> {
  name: string;
  /** Web services have routes and a health gate; workers are judged alive by their process. */
  kind: 'web' | 'worker';
  routes: ResolvedRoute[];
  /** The app's env merged with the service's (the service wins). */
  env: Record<string, string>;
}

/** One environment's spec with overlays applied, defaults filled and names resolved. */
export interface ResolvedEnvironment {
  app: string;
  name: string;
  from?: string | undefined;
  services: Record<string, ResolvedService>;
  addons: Record<string, AddonSpec>;
  /** The app-wide environment variables (each service's `env` already includes them). */
  env: Record<string, string>;
  pipeline: Spec['pipeline'];
  release?: string | undefined;
}

/** The host name every web service gets without DNS (RFC 6761 §6.3: *.localhost is loopback). */
export function defaultHost(service: string, env: string, app: string): string {
  return `${service}.${env}.${app}.${DEFAULT_HOST_SUFFIX}`;
}

export function resolveEnvironment(spec: Spec, name: string, from?: string): ResolvedEnvironment {
  const services: Record<string, ResolvedService> = {};
  for (const svcName of Object.keys(spec.services)) {
    const svc = spec.services[svcName]!;
    const own = defaultHost(svcName, name, spec.app);
    const routes: ResolvedRoute[] = [];
    let ownRoot = false;
    for (const r of svc.routes ?? []) {
      const host = r.host ?? own;
      if (host === own && r.path === '/') ownRoot = true;
      routes.push(r.tls ? { host, path: r.path, https_redirect: r.https_redirect, tls: r.tls, implicit: false } : { host, path: r.path, https_redirect: r.https_redirect, implicit: false });
    }
    const web = routes.length > 0;
    if (web && !ownRoot) routes.push({ host: own, path: '/', https_redirect: false, implicit: true });
    services[svcName] = resolvedService(svc, svcName, web, routes, spec.env);
  }
  return {
    app: spec.app,
    name,
    ...(from === undefined ? {} : { from }),
    services,
    addons: spec.addons,
    env: spec.env,
    pipeline: spec.pipeline,
    ...(spec.release === undefined ? {} : { release: spec.release }),
  };
}

/**
 * The service's own fields in their order (less routes and env), then the resolved ones.
 * Built by assignment, not spreads: `{ ...a, ...b }` over 1,000 services of a few shapes
 * runs V8's generic copy and made resolving an environment ~6× slower (bench/plan).
 */
function resolvedService(svc: ServiceSpec, name: string, web: boolean, routes: ResolvedRoute[], appEnv: Record<string, string>): ResolvedService {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(svc)) if (key !== 'routes' && key !== 'env') out[key] = svc[key as keyof ServiceSpec];
  out['name'] = name;
  out['kind'] = web ? 'web' : 'worker';
  out['routes'] = routes;
  // The app's variables, then the service's (which win); `__proto__` is a valid variable name.
  const env: Record<string, string> = {};
  for (const k of Object.keys(appEnv)) setOwn(env, k, appEnv[k]!);
  for (const k of Object.keys(svc.env)) setOwn(env, k, svc.env[k]!);
  out['env'] = env;
  return out as unknown as ResolvedService;
}
