import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSpec } from './compile.js';
import { convertHeroku, nodeBuildCommand } from './heroku.js';
import { formatIssue } from './issues.js';

const APP_JSON = JSON.stringify(
  {
    name: 'Small Sharp Tool',
    env: {
      WEB_CONCURRENCY: { value: '2' },
      LOG_LEVEL: 'info',
      SECRET_KEY_BASE: { generator: 'secret' },
      STRIPE_KEY: { required: true },
    },
    formation: { web: { quantity: 2, size: 'standard-2x' }, worker: { quantity: 1, size: 'Basic' } },
    addons: ['heroku-postgresql:essential-0', { plan: 'heroku-redis:mini', as: 'CACHE' }, 'papertrail'],
    scripts: { postdeploy: 'node seed.js' },
    environments: { test: { scripts: { test: 'npm test' } } },
  },
  null,
  2,
);

describe('Heroku apps', () => {
  it('reads a Procfile and app.json as the equivalent spec', () => {
    const converted = convertHeroku({
      folderName: 'tool',
      procfile: 'web: node server.js\nworker: node worker.js\nrelease: node migrate.js\n',
      appJson: APP_JSON,
      packageJson: JSON.stringify({ scripts: { build: 'tsc' } }),
      hasPackageLock: true,
    });
    assert.deepEqual(converted.issues, []);
    const result = compileSpec(converted.doc);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    const { spec } = result.app;
    assert.equal(spec.app, 'small-sharp-tool');
    assert.equal(spec.release, 'node migrate.js');
    assert.deepEqual(spec.env, { WEB_CONCURRENCY: '2', LOG_LEVEL: 'info' });
    assert.equal(spec.services['web']!.instances, 2);
    assert.equal(spec.services['web']!.size.memory, 1024 ** 3);
    assert.equal(spec.services['worker']!.size.memory, 512 * 1024 ** 2);
    assert.equal(spec.services['web']!.build, 'npm ci && npm run build');
    assert.deepEqual(spec.addons, { database: { type: 'postgres' }, cache: { type: 'redis' } });
    assert.equal(spec.pipeline.test, 'npm test');
    const env = result.app.environments.get('production')!;
    assert.equal(env.services['web']!.kind, 'web');
    assert.equal(env.services['worker']!.kind, 'worker');
    assert.deepEqual(converted.notes, [
      'app.json generates SECRET_KEY_BASE: set it with `wharf config set SECRET_KEY_BASE=<random> --secret`',
      'app.json requires STRIPE_KEY: set it with `wharf config set STRIPE_KEY=…`',
      'add-on "papertrail" has no Wharf equivalent; skipped',
      'app.json script "postdeploy" is not run by Wharf (use the spec\'s release command)',
    ]);
  });

  it('points a problem that app.json causes at app.json', () => {
    const converted = convertHeroku({
      folderName: 'tool',
      procfile: 'web: node server.js\n',
      appJson: '{\n  "formation": {\n    "web": { "quantity": -3 }\n  }\n}\n',
    });
    const result = compileSpec(converted.doc);
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map(formatIssue), [
      'app.json:3:26 formation.web.quantity: expected a whole number of at least 0, got number -3',
    ]);
  });

  it('reports Procfile lines it cannot read, with their line numbers', () => {
    const converted = convertHeroku({ folderName: 'x', procfile: '# comment\n\nweb: node a.js\nthis is not a process\nweb: again\n' });
    assert.deepEqual(converted.issues.map(formatIssue), [
      'Procfile:4:1 line 4: expected "process-type: command" (e.g. "web: npm start")',
      'Procfile:5:1 web: process type "web" is declared twice (as "web")',
    ]);
  });

  it('reports invalid app.json with its position', () => {
    const converted = convertHeroku({ folderName: 'x', procfile: 'web: a\n', appJson: '{ "name": \n' });
    assert.equal(converted.issues.length > 0, true);
    assert.match(formatIssue(converted.issues[0]!), /^app\.json:\d+:\d+ /);
  });

  it('builds Node apps the way the Heroku Node buildpack does', () => {
    assert.equal(nodeBuildCommand(undefined, false), undefined);
    assert.equal(nodeBuildCommand('{}', false), 'npm install');
    assert.equal(nodeBuildCommand('{"scripts":{"build":"tsc"}}', true), 'npm ci && npm run build');
    assert.equal(nodeBuildCommand('{"scripts":{"build":"tsc","heroku-postbuild":"make"}}', true), 'npm ci && npm run heroku-postbuild');
  });
});
