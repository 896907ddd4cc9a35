/**
 * Canary analysis: the pure judge of one step of a canary rollout. The rollout reads the
 * router's figures, calls judgeStep once per window (DEFAULT_CANARY_ANALYSIS_INTERVAL_MS)
 * with the state the previous call returned, and acts on the verdict:
 *
 *   fail          abort: traffic back to the stable release, the release marked failed
 *   pass          go to the next weight of the ladder
 *   wait          stay at this weight and judge again
 *   insufficient  stay, and show that the canary has too few requests to be judged yet
 *
 * Each window, from the traffic since the step started (or since the last counter reset):
 *
 *   counters reset ───────► wait          re-measure from this reading; bad streak kept
 *   < min_requests ───────► insufficient  while the hold lasts; after it, on_low_traffic:
 *                                          hold → wait, promote → pass (said in the reason)
 *   bad (5xx or p99) ─────► wait          streak + 1, or fail once the streak reaches N
 *   good ─────────────────► wait | pass   streak = 0; pass once the hold has elapsed
 *
 * A window with too little traffic or reset counters is missing, not good: it neither
 * extends nor ends a bad streak.
 */
import * as D from '../defaults.js';
import { deltaBetween } from './analysis-delta.js';
import { findings, releaseFigures, stepFigures, windowFor, type RuleSettings, type StepFigures } from './analysis-figures.js';
import { releaseLatency, type Reading } from './analysis-reading.js';
import { figuresSentence, lowTrafficSentence, plural, seconds } from './analysis-reason.js';

export type Verdict = 'pass' | 'fail' | 'wait' | 'insufficient';

/** The spec's `deploy.canary` settings the judge uses (CanarySpec fits), plus the window rule. */
export interface AnalysisSettings extends RuleSettings {
  hold: number;
  min_requests: number;
  on_low_traffic: 'hold' | 'promote';
  /** Bad windows in a row that fail the step. @default DEFAULT_CANARY_FAILURE_WINDOWS */
  failureWindows?: number;
}

/** What the judge carries from one window of a step to the next. Plain data, so it can be stored. */
export interface AnalysisState {
  canary: string;
  stable: string;
  /** The reading the step is measured from: its start, or the last reading after a counter reset. */
  since: Reading;
  /** Bad windows in a row. */
  badWindows: number;
  /** Counter resets seen during the step. */
  resets: number;
}

export interface StepInput {
  state: AnalysisState;
  now: Reading;
  /** Time since the step started (its weight was applied). */
  elapsedMs: number;
  settings: AnalysisSettings;
}

export interface Judgement {
  verdict: Verdict;
  reason: string;
  /** Undefined for a window skipped because the counters were reset. */
  figures: StepFigures | undefined;
  /** Pass it to the next judgeStep of this step. */
  state: AnalysisState;
}

/** The state of a new step: `start` is the router's reading when the step's weight was applied. */
export function startStep(canary: string, stable: string, start: Reading): AnalysisState {
  return { canary, stable, since: start, badWindows: 0, resets: 0 };
}

export function judgeStep({ state, now, elapsedMs, settings }: StepInput): Judgement {
  const delta = deltaBetween(state.since, now);
  if (delta.kind === 'reset') {
    return {
      verdict: 'wait',
      reason: `No verdict for this window: ${delta.reason}; the step is measured again from now`,
      figures: undefined,
      state: { ...state, since: now, resets: state.resets + 1 },
    };
  }
  const window = windowFor(now.time - state.since.time);
  const figures = stepFigures(
    releaseFigures(state.canary, delta.of(state.canary), releaseLatency(now, state.canary, window)),
    releaseFigures(state.stable, delta.of(state.stable), releaseLatency(now, state.stable, window)),
    window,
    settings,
  );
  const holdOver = elapsedMs >= settings.hold;
  const found = findings(figures, settings);
  const sentence = figuresSentence(figures, found, settings);

  if (figures.canary.requests < settings.min_requests) {
    const low = lowTrafficSentence(figures, settings.min_requests, elapsedMs);
    if (!holdOver) return { verdict: 'insufficient', reason: `${low} yet; the hold lasts ${seconds(settings.hold)}`, figures, state };
    if (settings.on_low_traffic === 'promote') {
      return { verdict: 'pass', reason: `${low}: promoted without analysis, as on_low_traffic is promote (${sentence})`, figures, state };
    }
    return { verdict: 'wait', reason: `${low}: the step holds until it has, as on_low_traffic is hold`, figures, state };
  }

  if (found.errors === 'bad' || found.p99 === 'bad') {
    const needed = settings.failureWindows ?? D.DEFAULT_CANARY_FAILURE_WINDOWS;
    const badWindows = state.badWindows + 1;
    const next = { ...state, badWindows };
    if (badWindows >= needed) {
      return { verdict: 'fail', reason: `${sentence} (${plural(badWindows, 'bad window', 'bad windows in a row')})`, figures, state: next };
    }
    return { verdict: 'wait', reason: `${sentence} (bad window ${badWindows} of ${needed} before the step fails)`, figures, state: next };
  }

  const next = { ...state, badWindows: 0 };
  if (holdOver) return { verdict: 'pass', reason: sentence, figures, state: next };
  return { verdict: 'wait', reason: `${sentence}; judged until the ${seconds(settings.hold)} hold ends (${seconds(elapsedMs)} so far)`, figures, state: next };
}
