/**
 * The human sentence of a decision, with the figures behind it:
 * "web 2 → 7: 1,840 req/min per instance > target 600". It goes into the event and the
 * audit entry as is, so it names the service, both counts and the deciding figure.
 */
import type { TargetKind } from './targets.js';

/** What a reason needs of one target's figures. */
export interface TargetLine {
  kind: TargetKind;
  goal: number;
  value: number | undefined;
  complete: boolean;
}

// Made on first use: building an Intl formatter loads ICU data (~20 ms), which the CLI's
// start-up would otherwise pay for every command.
let whole: Intl.NumberFormat | undefined;
let oneDecimal: Intl.NumberFormat | undefined;

/** 1,840 · 72 · 2.5: one decimal only where it matters (small in-flight counts). */
export function formatFigure(value: number): string {
  if (Math.abs(value) < 10) return (oneDecimal ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })).format(value);
  return (whole ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(value);
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

/** "610 req/min per instance within 10 % of target 600, 20 % CPU per instance < target 60". */
export function describe(lines: readonly TargetLine[], tolerance: number): string {
  const parts: string[] = [];
  for (const { kind, goal, value } of lines) {
    if (value === undefined) continue;
    const ratio = value / goal;
    const relation = Math.abs(ratio - 1) <= tolerance ? `within ${formatFigure(tolerance * 100)} % of` : ratio > 1 ? '>' : '<';
    parts.push(compare(kind, value, relation, goal));
  }
  return parts.join(', ');
}

/** "requests_per_minute_per_instance, cpu_percent": the spec's names, so they can be looked up. */
export function missing(lines: readonly TargetLine[]): string {
  return lines.filter((l) => !l.complete).map((l) => l.kind.name).join(', ');
}

/** Why the count sits at a bound: "at most max 10", "at least min 2". */
export function bounds(desired: number, limits: { min: number; max: number }): string {
  return desired === limits.max ? `at most max ${limits.max}` : `at least min ${limits.min}`;
}
