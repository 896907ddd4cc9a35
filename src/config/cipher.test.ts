import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { isWharfError } from '../errors.js';
import { seal, unseal } from './cipher.js';
import { secretDigest } from './digest.js';
import { newMasterKey, parseMasterKey } from './master-key.js';
import { Sensitive } from './sensitive.js';

const where = { app: 'shop', env: 'production', name: 'STRIPE_KEY' };

function mismatch(e: unknown, message: RegExp): boolean {
  assert.ok(isWharfError(e), String(e));
  assert.equal(e.code, 'MASTER_KEY_MISMATCH');
  assert.match(e.message, message);
  return true;
}

describe('the config cipher', () => {
  it('opens what it sealed, and never holds the plaintext in the sealed form', () => {
    const key = newMasterKey();
    const sealed = seal(key, where, 'sk_live_123');
    assert.equal(sealed.keyId, key.id);
    assert.ok(!JSON.stringify(sealed).includes('sk_live_123'));
    assert.equal(unseal(key, where, sealed), 'sk_live_123');
  });

  it('uses a fresh 12-byte nonce for every value, so equal values seal differently', () => {
    const key = newMasterKey();
    const a = seal(key, where, 'same');
    const b = seal(key, where, 'same');
    assert.equal(Buffer.from(a.nonce, 'base64').length, 12);
    assert.notEqual(a.nonce, b.nonce);
    assert.notEqual(a.ciphertext, b.ciphertext);
  });

  it('refuses a ciphertext moved to another variable, environment or app', () => {
    const key = newMasterKey();
    const sealed = seal(key, where, 'v');
    for (const other of [{ ...where, name: 'OTHER' }, { ...where, env: 'staging' }, { ...where, app: 'blog' }]) {
      assert.throws(() => unseal(key, other, sealed), (e) => mismatch(e, /GCM authentication failed/));
    }
  });

  it('refuses another key by its id, and a forged id by GCM authentication', () => {
    const key = newMasterKey();
    const other = newMasterKey();
    const sealed = seal(key, where, 'v');
    assert.throws(() => unseal(other, where, sealed), (e) => mismatch(e, new RegExp(`sealed with master key ${key.id}, but the master key in use is ${other.id}`)));
    assert.throws(() => unseal(other, where, { ...sealed, keyId: other.id }), (e) => mismatch(e, /GCM authentication failed/));
  });

  it('refuses a damaged ciphertext', () => {
    const key = newMasterKey();
    const sealed = seal(key, where, 'value');
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0]! ^= 1;
    assert.throws(() => unseal(key, where, { ...sealed, ciphertext: bytes.toString('base64') }), (e) => mismatch(e, /GCM/));
  });

  it('reads keys written as base64 or hex, and names the source of a bad one', () => {
    const bytes = Buffer.alloc(32, 7);
    assert.equal(parseMasterKey(bytes.toString('base64'), 'x').id, parseMasterKey(bytes.toString('hex'), 'x').id);
    for (const bad of ['', 'short', Buffer.alloc(16).toString('base64'), 'z'.repeat(64)]) {
      assert.throws(() => parseMasterKey(bad, '$WHARF_MASTER_KEY'), (e) => isWharfError(e) && e.code === 'MASTER_KEY_INVALID' && e.message.startsWith('$WHARF_MASTER_KEY does not hold a master key'));
    }
  });

  it('digests values with a key: equal values alike, other keys differently', () => {
    const key = newMasterKey();
    assert.equal(secretDigest(key, 'a'), secretDigest(key, 'a'));
    assert.notEqual(secretDigest(key, 'a'), secretDigest(key, 'b'));
    assert.notEqual(secretDigest(key, 'a'), secretDigest(newMasterKey(), 'a'));
    assert.match(secretDigest(key, 'a'), /^hmac-sha256:[0-9a-f]{32}$/);
  });
});

describe('Sensitive', () => {
  it('prints as [REDACTED] through String, JSON, inspect and template strings, and reveals on request', () => {
    const s = new Sensitive('hunter2');
    assert.equal(String(s), '[REDACTED]');
    assert.equal(`${s}`, '[REDACTED]');
    assert.equal(JSON.stringify({ s }), '{"s":"[REDACTED]"}');
    assert.equal(inspect({ s }), '{ s: [REDACTED] }');
    assert.equal(s.reveal(), 'hunter2');
  });

  it('keeps a master key\'s bytes out of inspect and JSON', () => {
    const key = newMasterKey();
    const hex = key.bytes.reveal().toString('hex');
    assert.ok(!inspect(key, { depth: 5 }).includes(hex));
    assert.ok(!JSON.stringify(key).includes(key.bytes.reveal().toString('base64')));
  });
});
