import type { Issue } from './schema/schema.js';
import type { ResolvedEnvironment } from './resolve.js';

/**
 * Rules that span several fields, checked on each environment's resolved spec. Each returns
 * issues with spec paths; the compiler locates them in the file.
 */
export function checkRules(env: ResolvedEnvironment): Issue[] {
  const issues: Issue[] = [];
  const add = (path: (string | number)[], message: string, hint?: string) => issues.push({ path, message, hint, at: 'value' });
  const routeOwners = new Map<string, string>();

  for (const svc of Object.values(env.services)) {
    const base = ['services', svc.name];
    const a = svc.autoscale;
    if (a) {
      if (a.min > a.max) add([...base, 'autoscale', 'min'], `min (${a.min}) is greater than max (${a.max})`);
      if (Object.keys(a.targets).length === 0) {
        add([...base, 'autoscale', 'targets'], 'set at least one target', 'e.g. requests_per_minute_per_instance: 600');
      }
      if (a.min <= a.max && (svc.instances < a.min || svc.instances > a.max)) {
        add([...base, 'instances'], `${svc.instances} instances is outside autoscale's ${a.min}..${a.max}`, 'instances is the count the service starts with');
      }
    }
    const { steps } = svc.deploy.canary;
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]! <= steps[i - 1]!) {
        add([...base, 'deploy', 'canary', 'steps', i], `steps must increase (${steps[i - 1]} then ${steps[i]})`);
        break;
      }
    }
    if (steps[steps.length - 1] !== 100) {
      add([...base, 'deploy', 'canary', 'steps'], 'the last step must be 100', 'a canary ends with all traffic on the new release');
    }
    if (svc.deploy.max_surge === 0 && svc.deploy.max_unavailable === 0) {
      add([...base, 'deploy', 'max_surge'], 'max_surge and max_unavailable cannot both be 0', 'a rolling deploy could never replace an instance');
    }
    if (svc.kind === 'worker' && svc.autoscale?.targets.requests_per_minute_per_instance !== undefined) {
      add([...base, 'autoscale', 'targets', 'requests_per_minute_per_instance'], 'a service without routes receives no requests', 'use cpu_percent or memory_percent for workers');
    }
    svc.routes.forEach((route, i) => {
      const key = `${route.host}${route.path}`;
      const owner = routeOwners.get(key);
      if (owner !== undefined) {
        const path = route.implicit ? [...base, 'routes'] : [...base, 'routes', i];
        add(path, `route ${key} is already routed to ${owner}`, 'each host and path prefix goes to one service');
      } else {
        routeOwners.set(key, `service ${svc.name}`);
      }
    });
  }
  return issues;
}
