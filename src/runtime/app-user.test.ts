import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAppUser, lookupUser, primaryGid } from './app-user.js';
import { DEFAULT_APP_USER } from '../defaults.js';
import { readLogs } from './log-reader.js';
import { ProcessDriver } from './process-driver.js';
import { run } from './one-off.js';
import { makeAppDir, removeDir, shutDown, specFor, waitFor } from './testing/fixtures.js';

const isRoot = process.getuid?.() === 0;

describe('instances under a root daemon', { skip: !isRoot && 'needs root' }, () => {
  const prefix = `user-${process.pid}-`;
  let dir: string;
  let dataDir: string;
  let driver: ProcessDriver;
  before(() => {
    dir = makeAppDir();
    dataDir = join(dir, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'keys'), 'secret', { mode: 0o600 });
  });
  after(async () => {
    await shutDown(driver, prefix);
    removeDir(dir);
  });

  it('creates the unprivileged app user once and finds it again', () => {
    const id = ensureAppUser();
    assert.notEqual(id.uid, 0);
    assert.deepEqual(lookupUser(DEFAULT_APP_USER), id);
    assert.deepEqual(ensureAppUser(), id);
    assert.equal(primaryGid(id.uid), id.gid);
  });

  it('runs instances as the app user, who cannot read the data directory', async () => {
    driver = new ProcessDriver({ logPollMs: 50 });
    const s = specFor(dir, `${prefix}1`, `node whoami.js ${dataDir}; sleep 30`);
    await driver.start(s);
    const line = await waitFor('the report', () => readLogs({ dirs: [s.logDir] }).find((l) => l.text.startsWith('uid=')));
    assert.equal(line.text, `uid=${ensureAppUser().uid} readable=EACCES`);
  });

  it('runs one-off commands as the identity it is given', async () => {
    let out = '';
    const code = await run({ id: `${prefix}run`, command: `node whoami.js ${dataDir}`, cwd: join(dir, 'app'), vars: {} }, { identity: ensureAppUser(), onOutput: (c) => (out += c) });
    assert.equal(code, 0);
    assert.equal(out.trim(), `uid=${ensureAppUser().uid} readable=EACCES`);
  });
});
