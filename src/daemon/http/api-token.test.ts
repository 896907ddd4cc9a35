import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WharfError } from '../../errors.js';
import { API_TOKEN_FILE, loadOrCreateToken } from './api-token.js';

describe('loadOrCreateToken', () => {
  let root: string;
  before(async () => (root = await mkdtemp(join(tmpdir(), 'wharf-token-'))));
  after(() => rm(root, { recursive: true, force: true }));

  it('generates 32 random bytes as base64url in a 0600 file at the first start', async () => {
    const dataDir = join(root, 'first', '.wharf');
    const token = await loadOrCreateToken(dataDir);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    const file = join(dataDir, API_TOKEN_FILE);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).trim(), token);
  });

  it('returns the stored token on later starts and a different one for another data dir', async () => {
    const a = join(root, 'again');
    const first = await loadOrCreateToken(a);
    assert.equal(await loadOrCreateToken(a), first);
    assert.notEqual(await loadOrCreateToken(join(root, 'other')), first);
  });

  it('gives every concurrent first start the same token', async () => {
    const dataDir = join(root, 'race');
    const tokens = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateToken(dataDir)));
    assert.equal(new Set(tokens).size, 1);
  });

  it('takes back a token file whose mode someone loosened', async () => {
    const dataDir = join(root, 'loose');
    const token = await loadOrCreateToken(dataDir);
    await chmod(join(dataDir, API_TOKEN_FILE), 0o644);
    assert.equal(await loadOrCreateToken(dataDir), token);
    assert.equal((await stat(join(dataDir, API_TOKEN_FILE))).mode & 0o777, 0o600);
  });

  it('refuses a token file that holds no token rather than serve with it', async () => {
    const dataDir = join(root, 'corrupt');
    await loadOrCreateToken(dataDir);
    await writeFile(join(dataDir, API_TOKEN_FILE), 'short\n');
    await assert.rejects(loadOrCreateToken(dataDir), (e: unknown) => e instanceof WharfError && e.code === 'STATE_CORRUPT');
  });
});
