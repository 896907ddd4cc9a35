import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { jsonSchemaOf } from './json-schema.js';
import { initSpec, EXAMPLE_SPEC } from './init.js';
import { formatIssue } from './issues.js';
import { compileText } from './testing.js';

describe('wharf init', () => {
  it('writes an annotated example that is a valid spec, with the schema\'s docs as comments', () => {
    const { text } = initSpec({ folderName: 'shop', hasPackageLock: false });
    const result = compileText(text);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    assert.deepEqual([...result.app.environments.keys()], ['production', 'staging']);
    assert.match(text, /# Health check of each instance \(web services\)\.\n\s+health:/);
    assert.match(text, /# Traffic % of the new release at each step, ending at 100\.\n\s+steps:/);
    assert.match(text, /# Environment this one starts from, before its own changes\.\n\s+from: production/);
  });

  it('converts a Procfile into the equivalent wharf.yaml', () => {
    const { text, source, notes } = initSpec({ folderName: 'tool', procfile: 'web: npm start\nworker: node w.js\n', hasPackageLock: false });
    assert.equal(source, 'Procfile');
    const result = compileText(text);
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    assert.equal(result.app.spec.services['web']!.run, 'npm start');
    assert.equal(result.app.spec.services['web']!.health.path, '/');
    assert.ok(notes.some((n) => n.includes('health')));
  });

  it('makes a web service of a Node project without a Procfile', () => {
    const { text, source } = initSpec({ folderName: 'Api Server', packageJson: '{"scripts":{"start":"node ."}}', hasPackageLock: true });
    assert.equal(source, 'package.json');
    const result = compileText(text);
    assert.ok(result.ok);
    assert.equal(result.app.spec.app, 'api-server');
    assert.equal(result.app.spec.services['web']!.build, 'npm ci');
  });
});

describe('the JSON Schema', () => {
  it('accepts the annotated example and describes every top-level key', () => {
    const schema = jsonSchemaOf();
    assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    const props = schema['properties'] as Record<string, { description?: string }>;
    for (const key of ['app', 'env', 'services', 'addons', 'pipeline', 'release', 'environments']) {
      assert.ok(props[key]?.description, `no description for ${key}`);
    }
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    assert.ok(validate(EXAMPLE_SPEC), JSON.stringify(validate.errors));
  });

  it('refuses what the validator refuses: unknown keys, wrong types, bad durations', () => {
    const valid = new Ajv2020({ allErrors: true }).compile(jsonSchemaOf());
    assert.equal(valid({ app: 'x', services: { web: { run: 'a', helth: {} } } }), false);
    assert.equal(valid({ app: 'x', services: { web: { run: 'a', stop_timeout: 5 } } }), false);
    assert.equal(valid({ app: 'x', services: { web: { run: 'a', stop_timeout: '5 s' } } }), false);
    assert.equal(valid({ app: 'x', services: { web: { run: 'a' } }, environments: { staging: { services: { web: { instances: 'x' } } } } }), false);
    assert.equal(valid({ app: 'x', services: { web: { run: 'a' } }, environments: { staging: { from: 'production', services: { web: { instances: 2, autoscale: null } } } } }), true);
  });
});
