import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { shellArgs } from './shell-command.js';

describe('instance shell command', () => {
  const table: [string, string][] = [
    ['node server.js', 'exec node server.js'],
    ['  bundle exec puma -C config/puma.rb ', 'exec bundle exec puma -C config/puma.rb'],
    ['./bin/web --port=8080', 'exec ./bin/web --port=8080'],
    ['node server.js --port $PORT', 'node server.js --port $PORT'],
    ['npm run migrate && node server.js', 'npm run migrate && node server.js'],
    ['echo hi; sleep 1', 'echo hi; sleep 1'],
    ['FOO=bar node x.js', 'FOO=bar node x.js'],
    ['exit 3', 'exit 3'],
    ['cd web', 'cd web'],
    ["python -c 'print(1)'", "python -c 'print(1)'"],
    ['node a.js > out.txt', 'node a.js > out.txt'],
  ];
  for (const [command, script] of table) {
    it(`runs ${JSON.stringify(command)} as ${JSON.stringify(script)}`, () => {
      assert.deepEqual(shellArgs(command), ['-c', script]);
    });
  }
});
