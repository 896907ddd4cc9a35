// terraform's side of the plan benchmark: a working dir per case, initialised once
// (terraform_data is built in, so init downloads nothing) and planned with the defaults.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from './child.mjs';

/** terraform's version line, or undefined when it is not on PATH. */
export function terraformVersion() {
  try {
    return execFileSync('terraform', ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, CHECKPOINT_DISABLE: '1' } }).split('\n')[0];
  } catch {
    return undefined;
  }
}

/**
 * The environment terraform runs with. CHECKPOINT_DISABLE: terraform's upgrade check calls
 * checkpoint-api.hashicorp.com; this machine has no internet, and a network wait is not the
 * planner's cost. TF_CLI_CONFIG_FILE: an empty CLI config of our own, so a missing or odd
 * ~/.terraformrc (or plugin mirror) of the machine plays no part.
 */
export function terraformEnv(work) {
  const rc = join(work, 'terraformrc');
  writeFileSync(rc, '# empty: terraform\'s defaults\n');
  return { CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: rc };
}

/** A working dir holding `config` as main.tf, initialised (untimed). */
export async function terraformDir(dir, config, env) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf'), config);
  await runChecked('terraform', ['init'], { cwd: dir, env });
  return dir;
}

/** `terraform plan` with terraform's defaults (refresh, lock, 10-way parallelism), timed. */
export function terraformPlan(dir, env) {
  return runChecked('terraform', ['plan'], { cwd: dir, env });
}

export function terraformApply(dir, env) {
  return runChecked('terraform', ['apply', '-auto-approve'], { cwd: dir, env });
}

/** "Plan: 1003 to add, 0 to change, 0 to destroy." → { add, change, destroy }, colours stripped. */
export function terraformSummary(stdout) {
  // ECMA-48 SGR sequences, which terraform writes even to a pipe.
  const plain = stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(plain);
  if (m) return { add: Number(m[1]), change: Number(m[2]), destroy: Number(m[3]) };
  if (/No changes\./.test(plain)) return { add: 0, change: 0, destroy: 0 };
  return undefined;
}
