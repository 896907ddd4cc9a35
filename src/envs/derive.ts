import { defaultHost, type ResolvedEnvironment, type ResolvedRoute } from '../spec/resolve.js';

/**
 * The spec of an environment that wharf.yaml does not declare (a clone, a preview), made
 * from the environment it was created from: the same services, add-ons, counts and
 * settings, each environment with its own host names. An explicit host of the source is
 * never copied (it would route the source's traffic to the copy; the compiler refuses one
 * host in two environments): the route keeps its path on the copy's own
 * `<service>.<env>.<app>.localhost` host, without the source's TLS certificate. Pure.
 */
export function deriveEnvironment(source: ResolvedEnvironment, name: string): ResolvedEnvironment {
  const services: ResolvedEnvironment['services'] = {};
  for (const [svcName, svc] of Object.entries(source.services)) {
    const own = defaultHost(svcName, name, source.app);
    const routes: ResolvedRoute[] = [];
    for (const r of svc.routes) {
      const moved: ResolvedRoute = { host: own, path: r.path, https_redirect: r.implicit ? r.https_redirect : false, implicit: r.implicit };
      const twin = routes.find((x) => x.host === moved.host && x.path === moved.path);
      if (!twin) routes.push(moved);
    }
    services[svcName] = { ...svc, routes };
  }
  const { release, ...rest } = source;
  return { ...rest, name, from: source.name, services, ...(release === undefined ? {} : { release }) };
}
