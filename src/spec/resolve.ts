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
  for (const [svcName, svc] of Object.entries(spec.services)) {
    const routes = svc.routes ?? [];
    const own = defaultHost(svcName, name, spec.app);
    const resolved: ResolvedRoute[] = routes.map((r) => ({
      host: r.host ?? own,
      path: r.path,
      https_redirect: r.https_redirect,
      ...(r.tls ? { tls: r.tls } : {}),
      implicit: false,
    }));
    const web = routes.length > 0;
    if (web && !resolved.some((r) => r.host === own && r.path === '/')) {
      resolved.push({ host: own, path: '/', https_redirect: false, implicit: true });
    }
    services[svcName] = {
      ...withoutRoutesAndEnv(svc),
      name: svcName,
      kind: web ? 'web' : 'worker',
      routes: resolved,
      env: { ...spec.env, ...svc.env },
    };
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
 * The service's own fields, in their order, less the two resolved above. A loop rather
 * than `{ routes, env, ...rest }`: V8 runs rest destructuring through a slow generic path,
 * which made it most of the time of resolving 1,000 services.
 */
function withoutRoutesAndEnv(svc: ServiceSpec): Omit<ServiceSpec, 'routes' | 'env'> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(svc)) if (key !== 'routes' && key !== 'env') out[key] = svc[key as keyof ServiceSpec];
  return out as Omit<ServiceSpec, 'routes' | 'env'>;
}
