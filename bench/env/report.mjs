// Writes bench/env/RESULTS.md from the runs.
import fs from 'node:fs';
import os from 'node:os';

const s = (ms, digits = 1) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(digits)} s`);

export function writeResults(file, { results, source, fleet, median, command, commit, loadBefore }) {
  const names = results[0]?.phases.map((p) => p.name) ?? [];
  const lines = [
    '# bench/env — cloning a 40-service production with Postgres and Redis',
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${new Date().toISOString()}.`,
    `Command: \`npm run build && ${command}\` at ${commit}.`,
    `Load average (1/5/15 min) before: ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}; after each run: ${results.map((r) => r.load.map((l) => l.toFixed(2)).join(' / ')).join('; ')} (2 cores shared with other agents' builds).`,
    '',
    `App: ${fleet.web.length} web services (routes, health checks) + ${fleet.count - fleet.web.length} workers, one instance each; Postgres with ${source.pg.n} rows, Redis with ${source.redis.keys} keys; a plain config var and a secret.`,
    '',
    '`wharf env clone production staging --with-config --with-data`, timed until every staging web service answers on its own host with staging\'s proof and the copied secret, and a staging web service reads production\'s row count from staging\'s own database (psql on its DATABASE_URL) and the marker from its Redis.',
    '',
    `| | ${results.map((r) => `run ${r.run}`).join(' | ')} | median |`,
    `| --- | ${results.map(() => '---').join(' | ')} | --- |`,
    `| **staging serves (total)** | ${results.map((r) => s(r.total)).join(' | ')} | **${s(median(results.map((r) => r.total)))}** |`,
    `| clone command returned (release live, all 40 services rolled out) | ${results.map((r) => s(r.cloneReturned)).join(' | ')} | ${s(median(results.map((r) => r.cloneReturned)))} |`,
    `| env destroy (not in the total) | ${results.map((r) => s(r.destroy)).join(' | ')} | ${s(median(results.map((r) => r.destroy)))} |`,
    '',
    'Phases, from the timeline (`wharf events --json`), each the time since the previous milestone:',
    '',
    `| phase | ${results.map((r) => `run ${r.run}`).join(' | ')} | median |`,
    `| --- | ${results.map(() => '---').join(' | ')} | --- |`,
    ...names.map((n, i) => `| ${n} | ${results.map((r) => s(r.phases[i].ms, 2)).join(' | ')} | ${s(median(results.map((r) => r.phases[i].ms)), 2)} |`),
    '',
  ];
  fs.writeFileSync(file, lines.join('\n'));
}
