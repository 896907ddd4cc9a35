import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Compares `actual` with the stored snapshot `src/<dir of the test>/__snapshots__/<name>.snap`.
 * A missing snapshot is written, except under CI=true, where it fails (as Jest's --ci does);
 * UPDATE_SNAPSHOTS=1 rewrites them.
 */
export function matchSnapshot(testFileUrl: string, name: string, actual: string): void {
  // Tests run compiled, from dist/<dir> or .build/<name>/<dir>; snapshots live beside the source.
  const compiled = dirname(fileURLToPath(testFileUrl));
  const m = /^(.*?)\/(?:dist|\.build\/[^/]+)(\/.*)?$/.exec(compiled);
  assert.ok(m, `cannot find the source folder of ${compiled}`);
  const file = join(m[1]!, 'src', m[2] ?? '', '__snapshots__', `${name}.snap`);
  if (process.env['UPDATE_SNAPSHOTS'] === '1' || (!existsSync(file) && process.env['CI'] !== 'true')) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${file} is missing (run the tests outside CI to write it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `snapshot ${file} differs (UPDATE_SNAPSHOTS=1 rewrites it)`);
}
