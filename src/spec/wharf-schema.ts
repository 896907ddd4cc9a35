/**
 * The schema of wharf.yaml. It is the single source of Wharf's spec types, its validation,
 * the JSON Schema (`wharf schema`) and the comments of the annotated example (`wharf init`).
 */
import * as D from '../defaults.js';
import { bool, duration, envValue, int, list, mapOf, num, obj, oneOf, size, str } from './schema/dsl.js';
import type { Infer } from './schema/schema.js';

/** A DNS label (RFC 1123 §2.1), so that names fit in hostnames like `web.production.shop.localhost`. */
export const NAME = { pattern: /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/, expected: 'a lowercase name (letters, digits, "-"; like "web" or "api-v2")' };
/** POSIX portable environment variable names (IEEE Std 1003.1, Base Definitions §8.1). */
export const ENV_KEY = { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, expected: 'a variable name (letters, digits, "_"; not starting with a digit)' };
/** An exact host name, or a wildcard `*.example.com` matching one or more labels. */
export const HOST = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const PATH_PREFIX = /^\/[^\s?#]*$/;

const command = (what: string) => str(/\S/, `a command (${what})`);

const health = obj({
  path: str(/^\/\S*$/, 'a path starting with "/"').default(D.DEFAULT_HEALTH_PATH).describe('Path the health check requests with GET; a 2xx or 3xx answer passes.'),
  interval: duration().default(D.DEFAULT_HEALTH_INTERVAL_MS).describe('Time between two checks of one instance.'),
  timeout: duration().default(D.DEFAULT_HEALTH_TIMEOUT_MS).describe('A check that takes longer fails.'),
  healthy_threshold: int({ min: 1 }).default(D.DEFAULT_HEALTHY_THRESHOLD).describe('Consecutive passes before an instance takes traffic.'),
  unhealthy_threshold: int({ min: 1 }).default(D.DEFAULT_UNHEALTHY_THRESHOLD).describe('Consecutive failures before an instance is taken out.'),
});

const route = obj({
  host: str(HOST, 'a lowercase host name like "shop.example.com" or "*.example.com"').optional()
    .describe('Host name to route; "*.example.com" matches any subdomain. Without it, the service\'s own <service>.<env>.<app>.localhost.'),
  path: str(PATH_PREFIX, 'a path prefix starting with "/"').default('/').describe('Path prefix to route; the longest matching prefix wins.'),
  https_redirect: bool().default(false).describe('Answer plain HTTP on this route with a redirect to HTTPS.'),
  tls: obj({
    cert: str(/\S/, 'a file path').describe('PEM certificate chain file, relative to the app folder.'),
    key: str(/\S/, 'a file path').describe('PEM private key file, relative to the app folder.'),
  }).optional().describe('Certificate for HTTPS on this host.'),
});

const autoscale = obj({
  min: int({ min: 0 }).describe('Fewest instances; 0 lets an idle service stop until a request comes.'),
  max: int({ min: 1 }).describe('Most instances.'),
  targets: obj({
    requests_per_minute_per_instance: num({ exclusiveMin: 0 }).optional().describe('Requests per minute each instance should serve.'),
    inflight_per_instance: num({ exclusiveMin: 0 }).optional().describe('Requests in flight per instance.'),
    cpu_percent: num({ exclusiveMin: 0, max: 100 }).optional().describe('CPU use per instance, in % of its size.cpu.'),
    memory_percent: num({ exclusiveMin: 0, max: 100 }).optional().describe('Memory use per instance, in % of its size.memory.'),
  }).describe('Target values; the count that meets the most demanding target wins.'),
  scale_down_window: duration().default(D.DEFAULT_AUTOSCALE_SCALE_DOWN_WINDOW_MS).describe('Load must stay low this long before instances are removed.'),
  panic_threshold: num({ exclusiveMin: 1 }).default(D.DEFAULT_AUTOSCALE_PANIC_THRESHOLD).describe('At this multiple of a target over 6 s, scale up at once and hold.'),
  idle_window: duration().default(D.DEFAULT_AUTOSCALE_IDLE_WINDOW_MS).describe('With min 0: the service stops after this long without a request; the router holds the next one while an instance starts.'),
});

const canary = obj({
  steps: list(num({ exclusiveMin: 0, max: 100 }), 1).default([...D.DEFAULT_CANARY_STEPS]).describe('Traffic % of the new release at each step, ending at 100.'),
  hold: duration().default(D.DEFAULT_CANARY_HOLD_MS).describe('Time at each step before it is judged.'),
  min_requests: int({ min: 1 }).default(D.DEFAULT_CANARY_MIN_REQUESTS).describe('Fewest requests to the new release for a step to be judged.'),
  max_error_rate_increase: num({ min: 0 }).default(D.DEFAULT_CANARY_MAX_ERROR_RATE_INCREASE).describe('Most percentage points of 5xx above the stable release.'),
  max_p99_ratio: num({ exclusiveMin: 1 }).default(D.DEFAULT_CANARY_MAX_P99_RATIO).describe('Most p99 latency as a multiple of the stable release\'s.'),
  on_low_traffic: oneOf('hold', 'promote').default('hold').describe('What to do when a step saw fewer than min_requests: keep waiting, or go on.'),
  sticky: bool().default(false).describe('Keep a client on the release it first got, by cookie.'),
});

const deploy = obj({
  strategy: oneOf('rolling', 'blue-green', 'canary').default('rolling').describe('How a new release replaces the old one.'),
  timeout: duration().default(D.DEFAULT_DEPLOY_TIMEOUT_MS).describe('New instances must pass the health gate within this, or the release is rolled back.'),
  drain_timeout: duration().default(D.DEFAULT_DRAIN_TIMEOUT_MS).describe('Longest wait for in-flight requests of an old instance.'),
  warm_window: duration().default(D.DEFAULT_WARM_WINDOW_MS).describe('The previous release keeps running this long, so rollback is instant.'),
  warmup_requests: int({ min: 0 }).default(D.DEFAULT_WARMUP_REQUESTS)
    .describe('GET requests to the health path each new web instance answers after passing the health gate, before it takes traffic, so that a JIT runtime\'s first, slowest requests are not users\' (like App Engine\'s warm-up requests); 0 for none.'),
  min_ready: duration().default(D.DEFAULT_MIN_READY_MS)
    .describe('Rolling: new web instances serve next to the old ones this long before an old one drains; blue-green: the switch is watched this long before the deploy is done. A new instance that crashes or turns unhealthy in it rolls the release back while the old instances still run (Kubernetes\' minReadySeconds); 0s for none.'),
  max_surge: int({ min: 0 }).default(D.DEFAULT_ROLLING_MAX_SURGE).describe('Rolling: instances above the count during the rollout.'),
  max_unavailable: int({ min: 0 }).default(D.DEFAULT_ROLLING_MAX_UNAVAILABLE).describe('Rolling: instances below the count during the rollout.'),
  canary: canary.defaults().describe('Canary: the ladder and how each step is judged.'),
});

export const serviceSchema = obj({
  run: command('run with /bin/sh; $PORT is set for services with routes').describe('Command that starts one instance; it must listen on $PORT if the service has routes.'),
  build: command('run with /bin/sh in the build directory').optional().describe('Command that builds the app, e.g. "npm ci".'),
  routes: list(route).optional().describe('HTTP routes to this service; a service with routes is a web service.'),
  health: health.defaults().describe('Health check of each instance (web services).'),
  instances: int({ min: 0 }).default(D.DEFAULT_INSTANCES).describe('How many instances run, unless autoscale decides.'),
  autoscale: autoscale.optional().describe('Scale between min and max to meet the targets.'),
  size: obj({
    cpu: num({ exclusiveMin: 0 }).optional().describe('CPU cores per instance, e.g. 0.5.'),
    memory: size().optional().describe('Memory per instance, e.g. "512Mi"; an instance above it is restarted.'),
  }).defaults().describe('Resources of one instance.'),
  deploy: deploy.defaults().describe('How releases roll out.'),
  stop_timeout: duration().default(D.DEFAULT_STOP_TIMEOUT_MS).describe('Time between SIGTERM and SIGKILL when an instance stops.'),
  env: mapOf(envValue(), ENV_KEY).default({}).describe('Environment variables of this service (they override the app\'s).'),
});

export const addonSchema = obj({
  type: oneOf('postgres', 'redis').describe('The kind of backing service.'),
  version: str(/^\d+(?:\.\d+)*$/, 'a version like "15" or "7.2"').optional().describe('Major version wanted; the machine\'s by default.'),
  external: obj({
    admin_url_from: str(ENV_KEY.pattern, ENV_KEY.expected)
      .describe('Name of the variable that holds the admin URL (postgres://admin:…@host:5432/postgres or redis://admin:…@host:6379): read from the environment\'s config, then the daemon\'s environment; never written to wharf.yaml or stored.'),
  }).optional().describe('Use an existing server instead of Wharf\'s own; Wharf only creates the database and role (or the ACL user) there.'),
});

export const specSchema = obj({
  app: str(NAME.pattern, NAME.expected).describe('Name of the app; part of its default host names.'),
  env: mapOf(envValue(), ENV_KEY).default({}).describe('Environment variables of every service.'),
  services: mapOf(serviceSchema, NAME, 1).describe('The process types of the app, e.g. web and worker.'),
  addons: mapOf(addonSchema, NAME).default({}).describe('Backing services, provisioned per environment (DATABASE_URL, REDIS_URL).'),
  pipeline: obj({
    check: command('a quick check, e.g. a linter').optional().describe('Runs first against each new build; a failure stops the deploy.'),
    test: command('the test suite').optional().describe('Runs after check; a failure stops the deploy.'),
  }).defaults().describe('Gates a build must pass before it is released.'),
  release: command('run once per release').optional().describe('Runs once before each release goes live (e.g. migrations); a failure stops it.'),
});

export type Spec = Infer<typeof specSchema>;
export type ServiceSpec = Infer<typeof serviceSchema>;
export type AddonSpec = Infer<typeof addonSchema>;
export type RouteSpec = NonNullable<ServiceSpec['routes']>[number];
export type HealthSpec = ServiceSpec['health'];
export type AutoscaleSpec = NonNullable<ServiceSpec['autoscale']>;
export type DeploySpec = ServiceSpec['deploy'];
export type CanarySpec = DeploySpec['canary'];

/** Keys of an environment overlay beyond the spec's own. */
export const OVERLAY_KEYS = { from: 'Environment this one starts from, before its own changes.' } as const;
