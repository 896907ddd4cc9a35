/**
 * `wharf autoscale status`: per autoscaled service, the count, its bounds, each target
 * against its figure, panic, and the last decisions with their reasons. Plain JSON: the
 * control API returns it as is and the CLI renders it.
 */
import type { ServiceTrack } from './controller.js';
import type { DecisionRecord } from './controller-types.js';
import type { PanicState } from './policy-state.js';
import type { TargetName } from './targets.js';

export interface TargetStatus {
  target: TargetName;
  goal: number;
  /** Mean per ready instance over the stable window (60 s); absent without figures. */
  value?: number | undefined;
  /** Over the panic window (6 s). */
  burst?: number | undefined;
}

export interface AutoscaleStatus {
  app: string;
  env: string;
  service: string;
  release: number;
  current: number;
  min: number;
  max: number;
  targets: TargetStatus[];
  panic: PanicState | null;
  /** Since when the service is idle (min 0: it stops after the idle window). */
  idleSince: number | null;
  idleWindowMs: number;
  /** A scale of this service is under way. */
  scaling: boolean;
  /** Oldest first. */
  decisions: DecisionRecord[];
}

export function statusOf(track: ServiceTrack): AutoscaleStatus {
  const { service: svc, last } = track;
  const figures = last?.decision.figures.targets ?? [];
  const goals = Object.entries(svc.policy.targets).filter(([, goal]) => goal !== undefined) as [TargetName, number][];
  return {
    app: svc.app,
    env: svc.env,
    service: svc.service,
    release: svc.release,
    current: svc.current,
    min: svc.policy.min,
    max: svc.policy.max,
    targets: goals.map(([target, goal]) => {
      const f = figures.find((t) => t.target === target);
      return { target, goal, value: f?.value, burst: f?.burst };
    }),
    panic: track.policy.panic,
    idleSince: track.policy.idleSince,
    idleWindowMs: svc.policy.idle_window,
    scaling: track.acting !== undefined,
    decisions: track.decisions.map((d) => ({ ...d })),
  };
}
