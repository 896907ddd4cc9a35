import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isWharfError } from '../errors.js';
import { checkAssignments, parseAssignments } from './config-rules.js';
import { configForPlan, configListing, nextEntries } from './config-view.js';
import type { ConfigEntry } from '../state/types.js';

const secret = (name: string): ConfigEntry => ({ name, secret: true, sealed: { keyId: 'k', nonce: 'n', ciphertext: 'c' }, digest: `d-${name}` });

describe('config rules', () => {
  it('parses KEY=VALUE, keeping = and spaces in the value and allowing it empty', () => {
    assert.deepEqual(parseAssignments(['A=1', 'URL=postgres://u:p@h/db?x=y', 'EMPTY=', 'S=a b'], true), [
      { name: 'A', value: '1', secret: true },
      { name: 'URL', value: 'postgres://u:p@h/db?x=y', secret: true },
      { name: 'EMPTY', value: '', secret: true },
      { name: 'S', value: 'a b', secret: true },
    ]);
  });

  it('refuses arguments that are not KEY=VALUE, as a usage error', () => {
    assert.throws(() => parseAssignments(['A', '=x'], false), (e) => isWharfError(e) && e.code === 'USAGE' && /"A" is not KEY=VALUE/.test(e.message));
  });

  const cases: [string, string, RegExp][] = [
    ['1ABC', 'x', /"1ABC" is not a valid variable name/],
    ['A-B', 'x', /"A-B" is not a valid variable name/],
    ['', 'x', /"" is not a valid variable name/],
    ['OK', 'line1\nline2', /OK: the value contains a line break/],
    ['OK', 'a\rb', /OK: the value contains a line break/],
    ['OK', 'a\0b', /OK: the value contains a NUL byte/],
    ['OK', 'x'.repeat(40_000), /OK: the value is longer than 32768 bytes/],
  ];
  for (const [name, value, message] of cases) {
    it(`refuses ${JSON.stringify(name)}=${JSON.stringify(value.slice(0, 12))} with a clear reason, never echoing the value`, () => {
      assert.throws(() => checkAssignments([{ name, value, secret: false }], 'shop/production'), (e) => {
        assert.ok(isWharfError(e) && e.code === 'BAD_REQUEST');
        assert.match(e.message, message);
        if (value.length > 2) assert.ok(!e.message.includes(value), 'the value is not echoed');
        return true;
      });
    });
  }

  it('reports every bad assignment at once', () => {
    assert.throws(
      () => checkAssignments([{ name: '1X', value: 'a', secret: false }, { name: 'Y', value: 'a\nb', secret: false }, { name: 'Z', value: 'ok', secret: false }], 'shop/production'),
      (e) => isWharfError(e) && /1X/.test(e.message) && /Y: the value contains a line break/.test(e.message) && !/Z:/.test(e.message),
    );
  });
});

describe('config view', () => {
  it('merges the spec\'s env with the set values, set winning, and says where each comes from', () => {
    const rows = configListing({ LOG: 'info', PORTAL: 'on' }, [{ name: 'LOG', secret: false, value: 'debug' }, secret('KEY')]);
    assert.deepEqual(rows, [
      { name: 'KEY', source: 'config', overridesSpec: false, secret: true, digest: 'd-KEY' },
      { name: 'LOG', source: 'config', overridesSpec: true, secret: false, value: 'debug' },
      { name: 'PORTAL', source: 'spec', overridesSpec: false, secret: false, value: 'on' },
    ]);
  });

  it('reveals secrets only through the given opener', () => {
    const [row] = configListing({}, [secret('KEY')], () => 'opened');
    assert.equal(row?.value, 'opened');
  });

  it('shows secrets to plans as their digest, named for masking', () => {
    assert.deepEqual(configForPlan([{ name: 'A', secret: false, value: '1' }, secret('B')]), { env: { A: '1', B: '(secret d-B)' }, secrets: ['B'] });
  });

  it('makes the complete next version from sets and removals, sorted by name', () => {
    const current: ConfigEntry[] = [{ name: 'B', secret: false, value: '1' }, { name: 'A', secret: false, value: '1' }];
    assert.deepEqual(nextEntries(current, [{ name: 'C', secret: false, value: '3' }, { name: 'A', secret: false, value: '2' }], ['B']).map((e) => [e.name, e.secret ? '' : e.value]), [['A', '2'], ['C', '3']]);
  });
});
