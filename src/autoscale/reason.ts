/**
 * The human sentence of a decision, with the figures behind it:
 * "web 2 → 7: 1,840 req/min per instance > target 600". It goes into the event and the
 * audit entry as is, so it names the service, both counts and the deciding figure.
 */
import type { TargetKind } from './targets.js';

const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** 1,840 · 72 · 2.5: one decimal only where it matters (small in-flight counts). */
export function formatFigure(value: number): string {
  return (Math.abs(value) < 10 ? ONE_DECIMAL : WHOLE).format(value);
}

/** "1,840 req/min per instance > target 600". */
export function compare(kind: TargetKind, value: number, relation: string, goal: number): string {
  return `${formatFigure(value)} ${kind.unit} ${relation} target ${formatFigure(goal)}`;
}

/** "web 2 → 7: because" when the count changes, "web holds at 3: because" when it does not. */
export function sentence(service: string, from: number, to: number, because: string): string {
  return from === to ? `${service} holds at ${from}: ${because}` : `${service} ${from} → ${to}: ${because}`;
}

/** "300 s", "1.5 s": windows are whole seconds in practice. */
export function seconds(ms: number): string {
  return `${formatFigure(ms / 1_000)} s`;
}
