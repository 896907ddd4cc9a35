/**
 * Durations as people write them in config files: "500ms", "2s", "1m30s", "1.5h".
 * Strict: a unit is required, units are ms, s, m, h, and nothing else may appear.
 * The grammar is Go's time.ParseDuration without its µs/ns units.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(total);
}

/** The shortest exact rendering: 1500 → "1500ms", 90000 → "1m30s", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1_000 !== 0) return `${ms}ms`;
  let rest = ms / 1_000;
  let out = '';
  for (const [unit, size] of [['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
