// Small statistics and formatting helpers of the runtime benchmark.

export function median(xs) {
  const s = xs.filter((x) => x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summary(xs) {
  const s = xs.filter((x) => x !== undefined && !Number.isNaN(x));
  return { median: median(s), min: s.length ? Math.min(...s) : undefined, max: s.length ? Math.max(...s) : undefined, n: s.length };
}

export const ms = (x) => (x === undefined ? '–' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x < 10 ? `${x.toFixed(2)} ms` : `${Math.round(x)} ms`);
export const mib = (bytes) => (bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
export const mb = (bytes) => (bytes === undefined ? '–' : `${(bytes / 1e6).toFixed(1)} MB`);

/** A markdown table from a header row and body rows. */
export function table(head, rows) {
  const line = (r) => `| ${r.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
