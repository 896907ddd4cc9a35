/** fast-check generators of valid specs, for property tests of the planner and apply. */
import fc from 'fast-check';

const name = fc.constantFrom('web', 'api', 'worker', 'clock', 'admin', 'jobs');
const envKey = fc.constantFrom('NODE_ENV', 'LOG_LEVEL', 'FEATURE_X', 'TZ', 'WEB_CONCURRENCY');
const envValue = fc.oneof(fc.string({ maxLength: 12 }).filter((s) => !s.includes('\0')), fc.integer({ min: 0, max: 9 }).map(String));
const duration = fc.constantFrom('500ms', '1s', '2s', '30s', '1m', '5m');

const service = fc.record(
  {
    run: fc.constantFrom('node server.js', 'node worker.js', 'npm start', 'sleep 1000'),
    build: fc.constantFrom('npm ci', 'make'),
    routes: fc.constantFrom([{ path: '/' }], [{ path: '/' }, { path: '/api' }]),
    health: fc.record({ path: fc.constantFrom('/healthz', '/up'), interval: duration, timeout: duration }, { requiredKeys: [] }),
    instances: fc.integer({ min: 0, max: 6 }),
    size: fc.record({ cpu: fc.constantFrom(0.25, 0.5, 1, 2), memory: fc.constantFrom('128Mi', '512Mi', '1Gi') }, { requiredKeys: [] }),
    deploy: fc.record({ strategy: fc.constantFrom('rolling', 'blue-green', 'canary'), timeout: duration, drain_timeout: duration }, { requiredKeys: [] }),
    stop_timeout: duration,
    env: fc.dictionary(envKey, envValue, { maxKeys: 3 }),
  },
  { requiredKeys: ['run'] },
);

const addon = fc.record({ type: fc.constantFrom('postgres', 'redis') }, { requiredKeys: ['type'] });

/** A spec document (written form) that compiles, for the implicit production environment. */
export const arbitrarySpec = fc.record(
  {
    app: fc.constantFrom('shop', 'blog', 'api'),
    env: fc.dictionary(envKey, envValue, { maxKeys: 3 }),
    services: fc.dictionary(name, service, { minKeys: 1, maxKeys: 4 }),
    addons: fc.dictionary(fc.constantFrom('db', 'cache', 'queue'), addon, { maxKeys: 2 }),
    release: fc.constantFrom('node migrate.js', 'true'),
  },
  { requiredKeys: ['app', 'services'] },
);
