import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { bearerAuth } from './bearer-auth.js';

const withAuthorization = (value?: string) =>
  ({ headers: value === undefined ? {} : { authorization: value } }) as IncomingMessage;

describe('bearerAuth', () => {
  const token = 'kF3v9Qm2xY7pL0aB8cD1eG4hJ6iN5oR2sT3uW9zA1bC';
  const check = bearerAuth(token);

  it('accepts the token under the Bearer scheme, whatever the scheme’s case', () => {
    assert.equal(check(withAuthorization(`Bearer ${token}`)), true);
    assert.equal(check(withAuthorization(`bearer ${token}`)), true);
  });

  const refused: Array<[string, string | undefined]> = [
    ['no header', undefined],
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['another scheme', `Basic ${token}`],
    ['a prefix of the token', `Bearer ${token.slice(0, -1)}`],
    ['the token with more after it', `Bearer ${token}A`],
    ['the token in another case', `Bearer ${token.toLowerCase()}`],
    ['a second credential after the token', `Bearer ${token} other`],
  ];
  for (const [what, header] of refused) {
    it(`refuses ${what}`, () => assert.equal(check(withAuthorization(header)), false));
  }

  it('refuses to guard with an empty token', () => {
    assert.throws(() => bearerAuth(''), /empty/);
  });
});
