// Summaries and markdown tables of repeated timings. Milliseconds in, text out.

/** Median, min and max of a non-empty list of numbers (median of an even count: the mean of the middle two). */
export function summarize(samples) {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** A duration for people: 3 significant figures, in ms below 10 s, else in s. */
export function formatMs(ms) {
  if (ms >= 10_000) return `${(ms / 1000).toPrecision(3)} s`;
  return `${ms >= 100 ? Math.round(ms) : ms.toPrecision(3)} ms`;
}

/** A markdown table; `rows` are arrays of cells, already text. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * The results table: one row per case, with median, min–max and, where the case has a
 * terraform counterpart that ran, how many times faster Wharf's median is.
 */
export function resultsTable(cases, samples, cpu = new Map()) {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const rows = cases
    .filter((c) => samples.get(c.id)?.length)
    .map((c) => {
      const s = summarize(samples.get(c.id));
      const peer = c.versus && samples.get(c.versus)?.length ? summarize(samples.get(c.versus)) : undefined;
      const speedup = peer ? `${(peer.median / s.median).toFixed(peer.median / s.median >= 100 ? 0 : 1)}×` : '';
      const cpuMedian = cpu.get(c.id)?.length ? formatMs(summarize(cpu.get(c.id)).median) : 'n/a';
      return [c.label, c.state, formatMs(s.median), `${formatMs(s.min)} – ${formatMs(s.max)}`, cpuMedian, String(s.n), speedup && `${speedup} vs ${byId.get(c.versus).short}`];
    });
  return markdownTable(['what is timed', 'recorded state', 'median', 'min – max', 'CPU median', 'runs', 'terraform median ÷ this'], rows);
}

/** The in-process phases of the library cases: where a plan's time goes. */
export function phasesTable(cases, phaseSamples) {
  const rows = [];
  for (const c of cases) {
    const phases = phaseSamples.get(c.id);
    if (!phases) continue;
    for (const [name, list] of phases) {
      const s = summarize(list);
      rows.push([c.state, name, formatMs(s.median), `${formatMs(s.min)} – ${formatMs(s.max)}`]);
    }
  }
  return markdownTable(['recorded state', 'phase', 'median', 'min – max'], rows);
}
