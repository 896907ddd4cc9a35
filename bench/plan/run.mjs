#!/usr/bin/env node
// Plan benchmark (issue 2): Wharf's planner against `terraform plan` on the same 1,000
// services. Wharf: a wharf.yaml of 1,000 services over five environments (production,
// staging from production, qa, perf, preview-main), planned for production against (a) an
// empty state and (b) an applied state with ~1 % of the services changed — in-process
// through the project's own functions (loadApp → pickEnvironment → desiredState → plan →
// renderPlan, recorded state read from a real SQLite store), and as the whole CLI
// (`node dist/cli/main.js plan`) against a running daemon: the first plan after an edit to
// the spec (a comment line appended before each run, untimed, so the daemon's cache of
// loaded specs cannot answer), and a repeat plan of an unchanged spec (which it can).
// terraform, when on PATH: one
// `terraform_data` resource per resource of Wharf's desired state, its `input` the very
// body Wharf diffs; `terraform plan` with its defaults, on the same two states.
// Every case runs once untimed (warm-up and output check), then --rounds times,
// interleaved, rotating the order each round. Fixtures live in a temp dir, removed at the end.
//
// It drives the compiled project: run `npm run build` first (or compile into a dir of your
// own and pass it with --dist or $WHARF_DIST). Takes ~15 minutes with terraform; most of it
// is terraform (one untimed apply of 1,003 resources, then ~30 s per applied-state plan).
//
//   npm run build
//   node bench/plan/run.mjs [--dist dist] [--rounds 7] [--services 1000] [--out bench/plan/RESULTS.md] [--keep]
//
// --dist defaults to $WHARF_DIST, else dist/. Prints a markdown report and writes it to --out.
// Its checks: WHARF_DIST=dist node --test bench/plan/
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENVIRONMENTS, isChanged, terraformConfig, wharfYaml } from './fixture.mjs';
import { phasesTable, resultsTable } from './stats.mjs';
import { terraformApply, terraformDir, terraformEnv, terraformPlan, terraformSummary, terraformVersion } from './terraform.mjs';
import { applyInProcess, desiredOf, loadWharf, planInProcess, startWharfDaemon, wharfPlanCli } from './wharf.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    dist: { type: 'string', default: process.env.WHARF_DIST ?? path.join(root, 'dist') },
    rounds: { type: 'string', default: '7' },
    services: { type: 'string', default: '1000' },
    out: { type: 'string', default: path.join(root, 'bench/plan/RESULTS.md') },
    keep: { type: 'boolean', default: false },
  },
});
const rounds = Number(opt.rounds);
const services = Number(opt.services);
const ENV = 'production';
const log = (...a) => console.error('[bench/plan]', ...a);

const work = mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-plan-'));
// The daemon runs apps as an unprivileged app user, who must pass through to its data dirs.
chmodSync(work, 0o711);
const cleanups = [];
process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));

async function cleanup() {
  for (const f of cleanups.splice(0).reverse()) await f().catch((e) => log('cleanup:', e.message));
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
}

async function main() {
  const w = await loadWharf(opt.dist);
  const base = path.join(work, 'spec-base');
  const changed = path.join(work, 'spec-changed');
  // Copies planned only by the repeat-plan cases, never edited.
  const baseSame = path.join(work, 'spec-base-same');
  const changedSame = path.join(work, 'spec-changed-same');
  for (const [dir, isChangedVariant] of [[base, false], [changed, true], [baseSame, false], [changedSame, true]]) {
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'wharf.yaml'), wharfYaml({ services, changed: isChangedVariant }));
  }
  let edits = 0;
  // A comment changes the file's bytes, not its meaning: the plan is the same, the cache misses.
  const editSpec = (dir) => appendFileSync(path.join(dir, 'wharf.yaml'), `# bench edit ${++edits}\n`);
  const desired = desiredOf(w, base, ENV);
  const total = desired.resources.length;
  const nChanged = Array.from({ length: services }, (_, i) => i + 1).filter(isChanged).length;
  const expectWharf = { empty: `Plan: ${total} to add, 0 to change, 0 to replace, 0 to destroy.`, changed: `Plan: 0 to add, ${nChanged} to change, 0 to replace, 0 to destroy.` };
  const expectWharfText = (state) => (r) => r.text.includes(expectWharf[state]) || fail(`expected "${expectWharf[state]}"`, r.text);

  log(`fixtures in ${work}: ${services} services, ${total} resources, ${nChanged} changed; setting up`);
  const libEmpty = await w.openStore(path.join(work, 'lib-empty'));
  const libApplied = await w.openStore(path.join(work, 'lib-applied'));
  cleanups.push(() => libEmpty.close(), () => libApplied.close());
  await applyInProcess(w, { dir: base, env: ENV, store: libApplied });

  // The applied daemon's state is recorded before it starts, through the same executor with
  // a recording target: `wharf apply` there would build and run 1,000 services for real.
  const appliedStore = await w.openStore(path.join(work, 'cli-applied'));
  await applyInProcess(w, { dir: base, env: ENV, store: appliedStore });
  await appliedStore.close();
  const cliEmpty = await startWharfDaemon(w, path.join(work, 'cli-empty'));
  cleanups.push(cliEmpty.stop);
  const cliApplied = await startWharfDaemon(w, path.join(work, 'cli-applied'));
  cleanups.push(cliApplied.stop);

  const cases = [
    { id: 'lib-empty', label: 'Wharf planner in-process: loadApp → renderPlan', state: 'empty', versus: 'tf-empty', run: () => planInProcess(w, { dir: base, env: ENV, store: libEmpty }), check: expectWharfText('empty') },
    { id: 'lib-changed', label: 'Wharf planner in-process: loadApp → renderPlan', state: `applied, ${nChanged} changed`, versus: 'tf-changed', run: () => planInProcess(w, { dir: changed, env: ENV, store: libApplied }), check: expectWharfText('changed') },
    { id: 'cli-empty', label: '`wharf plan` CLI process → daemon (SQLite), spec just edited', state: 'empty', versus: 'tf-empty', run: () => (editSpec(base), wharfPlanCli(w, base, ENV, cliEmpty)), check: expectWharfText('empty') },
    { id: 'cli-changed', label: '`wharf plan` CLI process → daemon (SQLite), spec just edited', state: `applied, ${nChanged} changed`, versus: 'tf-changed', run: () => (editSpec(changed), wharfPlanCli(w, changed, ENV, cliApplied)), check: expectWharfText('changed') },
    { id: 'cli-empty-same', label: '`wharf plan` CLI process → daemon (SQLite), spec unchanged (cached)', state: 'empty', versus: 'tf-empty', run: () => wharfPlanCli(w, baseSame, ENV, cliEmpty), check: expectWharfText('empty') },
    { id: 'cli-changed-same', label: '`wharf plan` CLI process → daemon (SQLite), spec unchanged (cached)', state: `applied, ${nChanged} changed`, versus: 'tf-changed', run: () => wharfPlanCli(w, changedSame, ENV, cliApplied), check: expectWharfText('changed') },
  ];

  const tfVersion = terraformVersion();
  if (tfVersion) {
    const env = terraformEnv(work);
    const tfEmpty = await terraformDir(path.join(work, 'tf-empty'), terraformConfig(desired), env);
    const tfApplied = await terraformDir(path.join(work, 'tf-applied'), terraformConfig(desired), env);
    log('terraform apply -auto-approve (once, untimed)');
    await terraformApply(tfApplied, env);
    writeFileSync(path.join(tfApplied, 'main.tf'), terraformConfig(desiredOf(w, changed, ENV)));
    const expectTf = (add, change) => (r) => {
      const s = terraformSummary(r.stdout);
      if (s?.add !== add || s?.change !== change || s?.destroy !== 0) fail(`expected terraform to plan ${add} to add, ${change} to change`, r.stdout.slice(-2000));
    };
    cases.push(
      { id: 'tf-empty', short: 'terraform', label: '`terraform plan` (terraform_data)', state: 'empty', run: () => terraformPlan(tfEmpty, env), check: expectTf(total, 0) },
      { id: 'tf-changed', short: 'terraform', label: '`terraform plan` (terraform_data)', state: `applied, ${nChanged} changed`, run: () => terraformPlan(tfApplied, env), check: expectTf(0, nChanged) },
    );
  } else {
    log('terraform is not on PATH: skipping its cases (install terraform to compare)');
  }

  const samples = new Map(cases.map((c) => [c.id, []]));
  const cpu = new Map(cases.map((c) => [c.id, []]));
  const phases = new Map();
  const loadBefore = os.loadavg();
  for (let round = 0; round <= rounds; round++) {
    const order = cases.map((_, i) => cases[(i + round) % cases.length]);
    for (const c of order) {
      const r = await c.run();
      c.check(r);
      if (round === 0) continue; // warm-up: caches, JIT, output checked
      samples.get(c.id).push(r.ms);
      if (r.cpuS !== undefined) cpu.get(c.id).push(r.cpuS * 1000);
      for (const [name, ms] of Object.entries(r.phases ?? {})) {
        if (!phases.has(c.id)) phases.set(c.id, new Map());
        const list = phases.get(c.id).get(name) ?? [];
        phases.get(c.id).set(name, [...list, ms]);
      }
    }
    log(round === 0 ? 'warm-up round done' : `round ${round}/${rounds} done`);
  }

  const report = renderReport({ cases, samples, cpu, phases, tfVersion, total, nChanged, loadBefore, loadAfter: os.loadavg() });
  process.stdout.write(report);
  writeFileSync(opt.out, report);
  log(`wrote ${opt.out}`);
}

function fail(message, output) {
  throw new Error(`${message}; the output ended with:\n${String(output).slice(-1500)}`);
}

function renderReport({ cases, samples, cpu, phases, tfVersion, total, nChanged, loadBefore, loadAfter }) {
  const sh = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' }).trimEnd();
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const envs = ENVIRONMENTS.map((e) => (e.from ? `${e.name} (from ${e.from})` : e.name)).join(', ');
  return [
    `# Plan benchmark — ${new Date().toISOString()}`,
    '',
    `Command: \`node bench/plan/run.mjs --dist ${path.relative(root, opt.dist) || '.'} --rounds ${rounds} --services ${services}\``,
    '',
    `Machine: ${os.availableParallelism()} × ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ${tfVersion ?? 'terraform not on PATH'}.`,
    `Load average (1, 5, 15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(', ')}; after: ${loadAfter.map((x) => x.toFixed(2)).join(', ')}.`,
    '',
    '```', sh('free', ['-h']), '```',
    '',
    `Spec: ${services} services (half web, half workers), 2 add-ons, environments ${envs}; planned for ${ENV} — ${total} resources.`,
    `"applied" = the base spec applied, then ${nChanged} service${nChanged === 1 ? '' : 's'} (~1 %) changed (instances and LOG_LEVEL).`,
    tfVersion
      ? `Terraform: one terraform_data per resource, input = Wharf's resolved body; defaults, CHECKPOINT_DISABLE=1.`
      : 'terraform is not on PATH: its rows are skipped (install terraform to compare).',
    `Each case: 1 untimed warm-up, then ${rounds} runs, interleaved, rotating the order. Wall time; CPU = user + system`,
    'seconds of every process doing the work (CLI + daemon; terraform, all threads; the bench process in-process).',
    '',
    resultsTable(cases, samples, cpu),
    '',
    'Where the in-process time goes (median of each phase):',
    '',
    phasesTable(cases, phases),
    '',
  ].join('\n');
}

main()
  .catch((e) => {
    log(e.stack ?? e);
    process.exitCode = 1;
  })
  .finally(cleanup);
