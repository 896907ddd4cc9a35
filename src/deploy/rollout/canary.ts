import { DEFAULT_CANARY_ANALYSIS_INTERVAL_MS } from '../../defaults.js';
import type { CanarySpec } from '../../spec/wharf-schema.js';
import { judgeStep, startStep, type AnalysisState } from '../analysis.js';
import { readingOf, type Reading } from '../analysis-reading.js';
import { releaseName } from '../release-snapshot.js';
import { brokenFresh, sides, startFresh } from './instances.js';
import { RolloutFailure, type ServiceRollout } from './types.js';

/** The shortest analysis window: the router's figures are read about once a second. */
const MIN_INTERVAL_MS = 1_000;

/**
 * How often a step is judged: every DEFAULT_CANARY_ANALYSIS_INTERVAL_MS, or at the end of a
 * shorter hold. Not more often: the router's shortest latency window is 10 s, so windows
 * closer together would judge the same slow burst again and again, and a few bad windows
 * "in a row" would be one noisy moment.
 */
export function analysisInterval(holdMs: number): number {
  return Math.max(MIN_INTERVAL_MS, Math.min(DEFAULT_CANARY_ANALYSIS_INTERVAL_MS, holdMs));
}

/**
 * Canary: the new set starts at weight 0, then climbs the ladder (5 → 25 → 50 → 100 % by
 * default). At each step below 100 % the pure judge (analysis.ts) compares the new release
 * with the stable one on the router's figures, once per window: a failed step, a new
 * instance that breaks, or `wharf abort` rolls back; `wharf promote` skips the rest.
 */
export async function rollCanary(r: ServiceRollout): Promise<void> {
  const settings = r.spec.deploy.canary;
  await r.setWeight(0);
  const { fresh } = await sides(r);
  await startFresh(r, r.count - fresh.length);
  // Without a stable release or without a router there is nothing to compare with.
  const judged = r.stable !== undefined && (await r.metrics()) !== undefined;
  if (!judged) await r.progress('analysis', `no ${r.stable ? 'router figures' : 'stable release'} to compare ${releaseName(r.release.version)} with: its steps are not judged`);
  for (const weight of settings.steps) {
    if (r.signals.aborted) throw new RolloutFailure(r.signals.aborted);
    if (r.signals.promoted) {
      await r.progress('promoted', `promoted by ${r.signals.promoted}: the rest of the ladder is skipped`);
      break;
    }
    await r.setWeight(weight);
    await r.progress('weight', `${releaseName(r.release.version)} takes ${weight} % of ${r.service}'s traffic`, { weight });
    if (weight >= 100 || !judged) continue;
    await judgeUntilPassed(r, weight, settings);
  }
  await r.setWeight(100);
}

async function judgeUntilPassed(r: ServiceRollout, weight: number, settings: CanarySpec): Promise<void> {
  const canary = releaseName(r.release.version);
  const stable = releaseName(r.stable!.version);
  const routeBase = `${r.app}.${r.env}.${r.service}`;
  const started = r.now();
  const interval = analysisInterval(settings.hold);
  let state: AnalysisState | undefined;
  for (;;) {
    const reading = await read(r, routeBase);
    if (state === undefined) {
      if (reading) state = startStep(canary, stable, reading);
    } else if (reading === undefined) {
      await r.progress('analysis', `${weight} %: no verdict for this window: the router's figures could not be read`, { weight, verdict: 'wait' });
    } else {
      const judgement = judgeStep({ state, now: reading, elapsedMs: r.now() - started, settings });
      state = judgement.state;
      await r.progress('analysis', `${weight} %: ${judgement.verdict}: ${judgement.reason}`, { weight, verdict: judgement.verdict, figures: judgement.figures });
      if (judgement.verdict === 'fail') throw new RolloutFailure(`analysis failed at ${weight} %: ${judgement.reason}`, { weight, figures: judgement.figures });
      if (judgement.verdict === 'pass') return;
    }
    await r.signals.sleep(interval);
    if (r.signals.aborted) throw new RolloutFailure(r.signals.aborted);
    if (r.signals.promoted) return;
    const broken = await brokenFresh(r);
    if (broken) throw new RolloutFailure(`${canary} broke at ${weight} %: ${broken}`);
  }
}

/** The service's figures now; undefined when the router does not answer (a gap, never zeros). */
async function read(r: ServiceRollout, routeBase: string): Promise<Reading | undefined> {
  const snapshot = await r.metrics();
  return snapshot && readingOf(snapshot, routeBase);
}
