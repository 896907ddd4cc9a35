import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { copyHello, setGreeting, writeTinyApp } from './fixtures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-fixtures-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('fixtures', () => {
  it('changes only the GREETING of the hello copy, so the next up makes a new release', () => {
    const dir = path.join(tmp, 'hello');
    const spec = copyHello(root, dir);
    assert.equal(spec.count, 3);
    const before = fs.readFileSync(path.join(dir, 'wharf.yaml'), 'utf8');
    setGreeting(dir, 'run 1');
    const afterText = fs.readFileSync(path.join(dir, 'wharf.yaml'), 'utf8');
    assert.match(afterText, /^ {2}GREETING: run 1$/m);
    assert.equal(afterText.split('\n').length, before.split('\n').length);
  });

  it('refuses a spec with no GREETING line rather than timing an unchanged up', () => {
    const dir = path.join(tmp, 'bare');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'wharf.yaml'), 'app: bare\n');
    assert.throws(() => setGreeting(dir, 'x'), /no GREETING line/);
  });

  it('writes tiny apps with distinct names and hosts, each a web service ×2 with a health check', () => {
    const a = writeTinyApp(tmp, 1);
    const b = writeTinyApp(tmp, 12);
    assert.equal(a.app, 'mem-01');
    assert.equal(b.app, 'mem-12');
    const yaml = fs.readFileSync(path.join(b.dir, 'wharf.yaml'), 'utf8');
    assert.match(yaml, /host: mem-12\.bench\.localhost/);
    assert.match(yaml, /instances: 2/);
    assert.match(yaml, /health: \{ path: \/healthz \}/);
    assert.ok(fs.existsSync(path.join(b.dir, 'server.js')));
  });
});
