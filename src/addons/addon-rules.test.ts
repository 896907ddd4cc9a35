import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isWharfError } from '../errors.js';
import { versionMatches } from './addon-manager.js';
import { attachmentVars } from './attachment-vars.js';
import { countDifferences } from './backup-files.js';
import { decideDestroy } from './destroy-policy.js';
import { connectionUrl, parseAdminUrl } from './endpoint.js';
import { postgresName, redisPrefix, scratchDatabase } from './names.js';
import { parseReply, RedisReplyError } from './resp-client.js';
import { AesGcmSealer } from './sealer.js';
import { randomBytes } from 'node:crypto';

describe('add-on names', () => {
  it('derives a readable PostgreSQL name that stays within 63 bytes and tells apart triples that sanitize alike', () => {
    const a = postgresName({ app: 'a-b', env: 'c', name: 'db' });
    const b = postgresName({ app: 'a', env: 'b-c', name: 'db' });
    assert.match(a, /^wharf_a_b_c_db_[0-9a-f]{8}$/);
    assert.notEqual(a, b);
    const long = postgresName({ app: 'x'.repeat(63), env: 'preview-' + 'y'.repeat(55), name: 'z'.repeat(63) });
    assert.ok(long.length <= 63, long);
    assert.match(long, /_[0-9a-f]{8}$/);
    assert.ok(scratchDatabase(long, 'restore', 'b1234567890').length <= 63);
  });

  it('ends every Redis prefix with ":" so that no prefix is the start of another', () => {
    assert.equal(redisPrefix({ app: 'shop', env: 'prod', name: 'cache' }), 'shop:prod:cache:');
    assert.ok(!redisPrefix({ app: 'shop', env: 'production', name: 'cache' }).startsWith(redisPrefix({ app: 'shop', env: 'prod', name: 'cache' })));
  });
});

describe('attachment variables', () => {
  it('gives each add-on NAME_URL and the first of each type the conventional names', () => {
    const vars = attachmentVars([
      { name: 'reports', type: 'postgres', url: 'postgres://r', extra: {} },
      { name: 'db', type: 'postgres', url: 'postgres://d', extra: {} },
      { name: 'cache', type: 'redis', url: 'redis://c', extra: { KEY_PREFIX: 'p:' } },
    ]);
    assert.deepEqual(vars, {
      CACHE_URL: 'redis://c', CACHE_KEY_PREFIX: 'p:', REDIS_URL: 'redis://c', REDIS_KEY_PREFIX: 'p:',
      DB_URL: 'postgres://d', DATABASE_URL: 'postgres://d', REPORTS_URL: 'postgres://r',
    });
  });
});

describe('destroy policy', () => {
  const table: { env: string; purge: boolean; confirm?: string; want: string }[] = [
    { env: 'staging', purge: false, want: 'detach' },
    { env: 'staging', purge: true, want: 'CONFIRMATION_REQUIRED' },
    { env: 'staging', purge: true, confirm: 'shop', want: 'purge' },
    { env: 'staging', purge: true, confirm: 'shp', want: 'CONFIRMATION_REQUIRED' },
    { env: 'production', purge: false, want: 'CONFIRMATION_REQUIRED' },
    { env: 'production', purge: false, confirm: 'shop', want: 'detach' },
    { env: 'production', purge: true, confirm: 'shop', want: 'purge' },
  ];
  for (const row of table) {
    it(`answers ${row.want} for ${row.env}${row.purge ? ' --purge' : ''}${row.confirm ? ` --confirm ${row.confirm}` : ''}`, () => {
      try {
        assert.equal(decideDestroy({ app: 'shop', name: 'db', ...row }), row.want);
      } catch (e) {
        assert.ok(isWharfError(e));
        assert.equal(e.code, row.want);
        assert.match(e.hint ?? '', /--confirm shop/);
      }
    });
  }
});

describe('admin URLs', () => {
  it('parses an external admin URL and never puts the URL in an error', () => {
    assert.deepEqual(parseAdminUrl('postgres', 'postgresql://admin:s%40cret@db.internal/ops', 'PG_ADMIN'), { host: 'db.internal', port: 5432, user: 'admin', password: 's@cret', database: 'ops' });
    assert.deepEqual(parseAdminUrl('redis', 'redis://wharf:pw@10.0.0.5:6380', 'R'), { host: '10.0.0.5', port: 6380, user: 'wharf', password: 'pw' });
    for (const [raw, why] of [['redis://a:hunter2@h', /postgres:\/\//], ['postgres://h/db', /admin user and password/], ['hunter2', /does not hold a URL/]] as const) {
      assert.throws(() => parseAdminUrl('postgres', raw, 'PG_ADMIN'), (e) => isWharfError(e) && why.test(e.message) && !e.message.includes('hunter2') && e.message.includes('PG_ADMIN'));
    }
  });

  it('percent-encodes user and password in connection URLs', () => {
    const url = connectionUrl('postgres', { host: '127.0.0.1', port: 5, user: 'u', password: 'a/b@c:d' }, 'db');
    assert.equal(decodeURIComponent(new URL(url).password), 'a/b@c:d');
  });
});

describe('backup counts', () => {
  it('describes every table whose count differs, including tables on one side only', () => {
    assert.deepEqual(countDifferences({ a: 1, b: 2 }, { a: 1, b: 3, c: 0 }), ['b: 2 in the backup, 3 restored', 'c: absent in the backup, 0 restored']);
    assert.deepEqual(countDifferences({ a: 1 }, { a: 1 }), []);
  });
});

describe('sealer', () => {
  it('opens what it sealed only with the same context, and never shows the plain text', () => {
    const sealer = new AesGcmSealer(randomBytes(32));
    const sealed = sealer.seal('hunter2', 'addon:shop/production/db');
    assert.doesNotMatch(sealed, /hunter2/);
    assert.notEqual(sealer.seal('hunter2', 'x'), sealer.seal('hunter2', 'x'));
    assert.equal(sealer.open(sealed, 'addon:shop/production/db'), 'hunter2');
    assert.throws(() => sealer.open(sealed, 'addon:shop/staging/db'), (e) => isWharfError(e) && e.code === 'STATE_CORRUPT');
  });
});

describe('RESP replies', () => {
  it('parses each reply type, and waits for the rest of a split reply', () => {
    const wire = Buffer.from('*4\r\n+OK\r\n:42\r\n$5\r\nhe\r\no\r\n$-1\r\n-NOPERM no\r\n');
    const first = parseReply(wire, 0)!;
    assert.deepEqual(first.reply, ['OK', 42, Buffer.from('he\r\no'), null]);
    const error = parseReply(wire, first.end)!;
    assert.ok(error.reply instanceof RedisReplyError && error.reply.message === 'NOPERM no');
    assert.equal(parseReply(wire.subarray(0, 20), 0), undefined);
  });
});

describe('add-on versions', () => {
  it('matches a wanted version as a prefix of the server\'s, part by part', () => {
    assert.equal(versionMatches('15', '15.18'), true);
    assert.equal(versionMatches('7.0', '7.0.15'), true);
    assert.equal(versionMatches('1', '15.18'), false);
    assert.equal(versionMatches('7.2', '7.0.15'), false);
    assert.equal(versionMatches('16', '15.18'), false);
  });
});
