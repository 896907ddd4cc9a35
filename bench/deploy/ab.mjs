#!/usr/bin/env node
// An interleaved A/B of rolling deploys (issue 5): the same steady paced load as run.mjs on
// examples/hello, and rolling deploys in a row whose web service alternates between two
// values of one `deploy` setting. One deploy's p99 against the 5 s before it moves 2-3x
// from noise alone on 2 shared cores, so a change is judged on many deploys, alternated so
// that drift in the machine falls on both sides alike.
//
//   npm run build && node bench/deploy/ab.mjs --key warmup_requests --a 300 --b 1500 [--pairs 10] [--rate 2256] [--client realtime|normal]
//
// --key daemon-niceness alternates no setting but the CPU niceness of the daemon's session
// (/proc/PID/autogroup, 0-19; needs autogroups): whether the control plane's own CPU during
// a deploy is what users' requests wait behind.
//
// Per side: the median of each deploy's p99 (from `wharf deploy` to 1 s after it returns)
// over the p99 of the 5 s before it; the answers over that p99 beyond the 1 % expected (how
// many requests the deploy slowed: unlike a ratio of p99s, a longer deploy does not dilute
// it), in all and split between the switches (the SWITCH_MS after each new web instance
// enters the router's table, and after each old one drains, exits and the next one starts) and
// the rest, so that a lever can be seen where it acts, not only in a whole deploy's noise;
// and the median time from `wharf deploy` to the last answer of the old release.
// Everything runs in a temp dir; everything started is stopped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { setGreeting } from '../runtime/fixtures.mjs';
import { median, ms, table } from '../runtime/stats.mjs';
import { helloUnderWharf } from './hello.mjs';
import { excessSlow, LoadProcess, p99 } from './load.mjs';
import { log } from '../runtime/log.mjs';

/**
 * How long after a web instance enters the table, and after an old one starts to drain, a
 * switch is counted (the old one exits ~70 ms after its drain, and the next one starts). With
 * min_ready the two are that far apart; without, ~15 ms.
 */
const SWITCH_MS = 250;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    key: { type: 'string' },
    a: { type: 'string' },
    b: { type: 'string' },
    pairs: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2256' },
    client: { type: 'string', default: 'realtime' },
  },
});
if (!opt.key || opt.a === undefined || opt.b === undefined) {
  console.error('usage: node bench/deploy/ab.mjs --key SETTING --a VALUE --b VALUE [--pairs N] [--rate REQ_PER_S]');
  process.exit(2);
}

const hello = await helloUnderWharf({ root, dist: path.resolve(root, opt.dist), prefix: 'wharf-bench-ab-' });
const { appDir, spec, port, wharf, host } = hello;
/** One side's lever: the web service's deploy block, rolling as the example has it, with `key: value`; or the daemon's niceness. */
const setSide = (value) => {
  if (opt.key !== 'daemon-niceness') return hello.setDeploy({ strategy: 'rolling', [opt.key]: value });
  const { daemon } = wharf.pids();
  if (daemon) fs.writeFileSync(`/proc/${daemon}/autogroup`, value);
};

let load;
hello.onStop(() => load?.stop());
try {
  setSide(opt.a);
  setGreeting(appDir, 'g0');
  await wharf.up(appDir);
  await wharf.waitReady(spec);
  load = await LoadProcess.start({ port, host, rate: Number(opt.rate), realtime: opt.client === 'realtime' });
  await sleep(8000);
  const sides = { a: [], b: [] };
  for (let i = 1; i <= 2 * Number(opt.pairs); i++) {
    const side = i % 2 ? 'b' : 'a'; // the app is up with a: the first deploy changes it
    setSide(opt[side]);
    setGreeting(appDir, `g${i}`);
    const lastEvent = await wharf.lastEventId();
    const t0 = Date.now();
    await wharf.cli(['deploy', '-C', appDir]);
    const t1 = Date.now();
    await sleep(1500);
    const during = await load.between(t0, t1 + 1000);
    const before = await load.between(t0 - 5000, t0);
    const failed = during.filter((s) => s.status !== 200).length;
    const lastOld = during.filter((s) => s.body !== `g${i}`).at(-1);
    const steady = p99(before);
    const events = await wharf.eventsAfter(lastEvent);
    const switches = events.filter((e) => (e.kind === 'rollout.ready' || e.kind === 'rollout.draining') && e.service === 'web').map((e) => e.time);
    const atSwitch = (s) => switches.some((at) => s.t >= at && s.t < at + SWITCH_MS);
    const row = {
      ratio: p99(during) / steady,
      excess: excessSlow(during, steady),
      atSwitches: excessSlow(during.filter(atSwitch), steady),
      elsewhere: excessSlow(during.filter((s) => !atSwitch(s)), steady),
      toNew: lastOld ? lastOld.t - t0 : 0,
      failed,
    };
    sides[side].push(row);
    log(`deploy ${i} (${opt.key}: ${opt[side]}): ${JSON.stringify(row)}`);
    await sleep(5000);
  }
  console.log(`A/B of rolling deploys, ${opt.key}: ${opt.a} (a) against ${opt.b} (b); ${opt.pairs} deploys each, alternated, under ${opt.rate} req/s from a load generator in the ${opt.client === 'realtime' ? 'SCHED_FIFO' : 'normal'} class; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}.\n`);
  console.log(
    table(
      ['side', opt.key, 'p99 during / 5 s before, median', 'each deploy', 'answers over that p99 beyond 1 %, median', 'each deploy', `of them in the ${SWITCH_MS} ms of each switch / elsewhere, medians`, 'deploy → 100 % new, median', 'failed requests'],
      ['a', 'b'].map((s) => {
        const mid = (k) => median(sides[s].map((r) => r[k]));
        return [s, opt[s], `**${mid('ratio').toFixed(2)}×**`, sides[s].map((r) => r.ratio.toFixed(2)).join(', '), mid('excess'), sides[s].map((r) => r.excess).join(', '), `${mid('atSwitches')} / ${mid('elsewhere')}`, ms(mid('toNew')), sides[s].reduce((n, r) => n + r.failed, 0)];
      }),
    ),
  );
} finally {
  await hello.stop();
}
