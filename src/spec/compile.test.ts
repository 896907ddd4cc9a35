import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssue } from './issues.js';
import { compileText, yaml } from './testing.js';
import { serviceSchema } from './wharf-schema.js';

const BASE = yaml`
  app: shop
  services:
    web:
      run: node server.js
      routes:
        - path: /
    worker:
      run: node worker.js
`;

function problems(text: string): string[] {
  const result = compileText(text);
  assert.equal(result.ok, false, 'expected the spec to be invalid');
  return result.ok ? [] : result.issues.map(formatIssue);
}

describe('compiling a spec', () => {
  it('fills every default and gives web services their own localhost host name', () => {
    const result = compileText(BASE);
    assert.ok(result.ok);
    const env = result.app.environments.get('production')!;
    const web = env.services['web']!;
    assert.equal(web.kind, 'web');
    assert.deepEqual(web.routes, [{ host: 'web.production.shop.localhost', path: '/', https_redirect: false, implicit: false }]);
    assert.deepEqual(web.health, { path: '/healthz', interval: 1000, timeout: 2000, healthy_threshold: 2, unhealthy_threshold: 3 });
    assert.equal(web.deploy.strategy, 'rolling');
    assert.deepEqual(web.deploy.canary.steps, [5, 25, 50, 100]);
    assert.equal(env.services['worker']!.kind, 'worker');
    assert.deepEqual(env.services['worker']!.routes, []);
  });

  it('reports every problem at once, each with file, line, column, path and hint', () => {
    const found = problems(yaml`
      app: shop
      services:
        web:
          run: node server.js
          helth:
            path: /up
          instances: -1
          health:
            interval: 2
          size:
            memory: 512MB
    `);
    assert.deepEqual(found, [
      'wharf.yaml:5:5 services.web.helth: unknown key "helth" (did you mean "health"?)',
      'wharf.yaml:9:17 services.web.health.interval: expected a duration like "2s" or "500ms", got number 2 (write it with a unit, e.g. "2s")',
      'wharf.yaml:7:16 services.web.instances: expected a whole number of at least 0, got number -1',
      'wharf.yaml:11:15 services.web.size.memory: expected a size like "512Mi" or "1Gi", got the string "512MB" (did you mean "512Mi"?)',
    ]);
  });

  it('says which required key is missing, at its parent', () => {
    assert.deepEqual(problems('app: shop\nservices:\n  web:\n    build: npm ci\n'), [
      'wharf.yaml:4:5 services.web.run: "run" is required (Command that starts one instance; it must listen on $PORT if the service has routes.)',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const [first] = problems('app: shop\nservices:\n  web: [\n');
    assert.match(first!, /^wharf\.yaml:\d+:\d+ \(syntax\): /);
  });

  it('rejects duplicate keys rather than silently keeping the last', () => {
    assert.match(problems('app: shop\napp: other\nservices: {w: {run: x}}\n')[0]!, /unique|duplicate/i);
  });

  it('applies environment overlays as merge patches, with from: chains', () => {
    const result = compileText(BASE + yaml`
      environments:
        production:
          services:
            web: { instances: 4, env: { TIER: gold } }
        staging:
          from: production
          services:
            web: { instances: 1 }
            worker: null
    `);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    const prod = result.app.environments.get('production')!;
    const staging = result.app.environments.get('staging')!;
    assert.equal(prod.services['web']!.instances, 4);
    assert.equal(staging.services['web']!.instances, 1);
    assert.equal(staging.services['web']!.env['TIER'], 'gold');
    assert.equal(staging.from, 'production');
    assert.deepEqual(Object.keys(staging.services), ['web']);
    assert.equal(staging.services['web']!.routes[0]!.host, 'web.staging.shop.localhost');
  });

  it('locates a problem made by an overlay in the overlay, naming the environment path', () => {
    const found = problems(BASE + yaml`
      environments:
        staging:
          services:
            web: { instances: many }
    `);
    assert.deepEqual(found, ['wharf.yaml:12:25 environments.staging.services.web.instances: expected a whole number of at least 0, got the string "many"']);
  });

  it('refuses a cycle of from: between environments', () => {
    const found = problems(BASE + yaml`
      environments:
        a: { from: b }
        b: { from: a }
    `);
    assert.ok(found.some((f) => /environments inherit in a cycle: (a → b → a|b → a → b)/.test(f)), found.join('\n'));
  });

  it('refuses from: naming an environment that does not exist, with a suggestion', () => {
    const found = problems(BASE + yaml`
      environments:
        production: {}
        staging: { from: prodution }
    `);
    assert.deepEqual(found, ['wharf.yaml:11:20 environments.staging.from: no environment named "prodution" (did you mean "production"?)']);
  });

  it('refuses two services routed on the same host and path', () => {
    const found = problems(yaml`
      app: shop
      services:
        web: { run: a, routes: [{ host: shop.example.com }] }
        api: { run: b, routes: [{ host: shop.example.com, path: / }] }
    `);
    assert.deepEqual(found, ['wharf.yaml:4:27 services.api.routes[0]: route shop.example.com/ is already routed to service web (each host and path prefix goes to one service)']);
  });

  it('refuses the same explicit host in two environments', () => {
    const found = problems(yaml`
      app: shop
      services:
        web: { run: a, routes: [{ host: shop.example.com }] }
      environments:
        production: {}
        staging: { from: production }
    `);
    assert.equal(found.length, 1);
    assert.match(found[0]!, /services\.web\.routes\[0\]\.host: shop\.example\.com\/ is also routed in environment production \(.*\) \[environment staging\]$/);
  });

  const ruleTable: [string, string, RegExp][] = [
    ['min > max', 'autoscale: { min: 5, max: 2, targets: { cpu_percent: 50 } }', /autoscale\.min: min \(5\) is greater than max \(2\)/],
    ['no targets', 'autoscale: { min: 1, max: 2, targets: {} }', /autoscale\.targets: set at least one target/],
    ['target of zero', 'autoscale: { min: 1, max: 2, targets: { cpu_percent: 0 } }', /cpu_percent: expected a number greater than 0/],
    ['unknown target', 'autoscale: { min: 1, max: 2, targets: { rps: 5 } }', /unknown key "rps"/],
    ['negative target', 'autoscale: { min: 1, max: 2, targets: { requests_per_minute_per_instance: -600 } }', /targets\.requests_per_minute_per_instance: expected a number greater than 0/],
    ['max of zero', 'autoscale: { min: 0, max: 0, targets: { inflight_per_instance: 5 } }', /autoscale\.max: expected .*1/],
    ['idle window not a duration', 'autoscale: { min: 0, max: 2, targets: { inflight_per_instance: 5 }, idle_window: soon }', /autoscale\.idle_window: expected a duration/],
    ['canary steps not rising', 'deploy: { canary: { steps: [50, 25, 100] } }', /steps\[1\]: steps must increase/],
    ['canary not ending at 100', 'deploy: { canary: { steps: [5, 50] } }', /the last step must be 100/],
    ['no surge nor unavailability', 'deploy: { max_surge: 0 }', /max_surge and max_unavailable cannot both be 0/],
    ['unknown strategy', 'deploy: { strategy: yolo }', /expected one of "rolling", "blue-green", "canary"/],
    ['bad env name', 'env: { 1BAD: x }', /"1BAD" is not a variable name/],
    ['wildcard in the middle', 'routes: [{ host: "a.*.com" }]', /expected a lowercase host name/],
  ];
  for (const [name, fields, expected] of ruleTable) {
    it(`refuses ${name}`, () => {
      const found = problems(`app: shop\nservices:\n  web:\n    run: x\n    ${fields}\n`);
      assert.ok(found.some((f) => expected.test(f)), found.join('\n'));
    });
  }

  it('refuses a document that is not a mapping', () => {
    assert.deepEqual(problems('- a\n- b\n'), ['wharf.yaml:1:1 (top level): expected a mapping with "app" and "services" (run `wharf init` for an annotated example)']);
  });

  it('checks each part of the base that no overlay changes once, not once per environment', () => {
    const services = Array.from({ length: 20 }, (_, i) => `  s${i}:\n    run: node s${i}.js\n    instances: ${i === 7 ? 'many' : 1}\n`).join('');
    const text = `app: shop\nservices:\n${services}environments:\n  production:\n    services:\n      s1:\n        instances: 3\n  staging:\n    from: production\n  qa: {}\n`;
    const original = serviceSchema.check;
    let checks = 0;
    serviceSchema.check = function (...args) {
      checks++;
      return original.apply(this, args);
    };
    try {
      const result = compileText(text);
      // 20 in the base; s1 again for production and for staging, which inherits its overlay.
      assert.equal(checks, 22);
      // The problem in the shared s7 is still found, located and reported once.
      assert.deepEqual(result.ok ? [] : result.issues.map(formatIssue), ['wharf.yaml:26:16 services.s7.instances: expected a whole number of at least 0, got the string "many"']);
    } finally {
      serviceSchema.check = original;
    }
  });
});
