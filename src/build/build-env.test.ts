import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEnvironment, FALLBACK_PATH, gitEnvironment } from './build-env.js';

const host = {
  PATH: '/opt/node/bin:/usr/bin',
  HOME: '/home/wharf',
  LANG: 'en_GB.UTF-8',
  WHARF_DATA_DIR: '/var/lib/wharf',
  WHARF_TOKEN: 'secret',
  AWS_SECRET_ACCESS_KEY: 'secret',
  GIT_DIR: '/elsewhere/.git',
};

describe('buildEnvironment', () => {
  it('passes the host basics and nothing of the daemon\'s own', () => {
    assert.deepEqual(buildEnvironment({ host, app: 'shop' }), {
      PATH: '/opt/node/bin:/usr/bin',
      HOME: '/home/wharf',
      LANG: 'en_GB.UTF-8',
      WHARF_APP: 'shop',
    });
  });

  it('falls back to the standard PATH and a UTF-8 locale when the host has none', () => {
    const env = buildEnvironment({ host: {}, app: 'shop' });
    assert.equal(env['PATH'], FALLBACK_PATH);
    assert.equal(env['LANG'], 'C.UTF-8');
  });

  it('gives the commit as SOURCE_VERSION and lets build variables win', () => {
    const env = buildEnvironment({ host, app: 'shop', commit: 'abc123', variables: { LANG: 'C', NODE_ENV: 'production' } });
    assert.equal(env['SOURCE_VERSION'], 'abc123');
    assert.equal(env['LANG'], 'C');
    assert.equal(env['NODE_ENV'], 'production');
  });
  it('gives a build run as another user that user\'s home and no one\'s name', () => {
    const env = buildEnvironment({ host: { ...host, USER: 'root', LOGNAME: 'root' }, app: 'shop', home: '/var/lib/wharf-builds/.home' });
    assert.equal(env['HOME'], '/var/lib/wharf-builds/.home');
    assert.equal(env['USER'], undefined);
    assert.equal(env['LOGNAME'], undefined);
  });
});

describe('gitEnvironment', () => {
  it('drops variables that would point git at another repository', () => {
    assert.deepEqual(gitEnvironment(host), { PATH: '/opt/node/bin:/usr/bin', HOME: '/home/wharf', LANG: 'en_GB.UTF-8' });
  });
});
