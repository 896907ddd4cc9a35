/** How the CLI writes times for people: `2026-11-22 02:14:43Z` (UTC, to the second). */
export function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
