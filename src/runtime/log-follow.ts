/**
 * `wharf logs -f`: the history (as readLogs gives it), then new lines as they are collected,
 * from every instance under the given directories, including instances that appear later
 * (a scale-up, a redeploy). Follows rotation: when `output.log` is renamed to `.1`, the rest
 * of the old file is read before the new one.
 *
 * Each instance's position is taken before the history is read, so a line collected in
 * between can be shown twice; never lost. Rotating twice within one poll (250 ms) skips the
 * middle file's tail, which only an app writing over maxBytes per poll can cause.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { logPath, type LogMeta } from './log-line.js';
import { currentCursor, findLogDirs, mergeByTime, parseLines, readLogs, type FollowCursor, type LogLine, type LogQuery } from './log-reader.js';

export interface FollowOptions extends LogQuery {
  /** @default 250 */
  pollMs?: number;
  signal?: AbortSignal;
}

/** Yields batches of lines in time order until `signal` aborts. */
export async function* followLogs(options: FollowOptions): AsyncGenerator<LogLine[]> {
  const cursors = new Map<string, { meta: LogMeta; cursor: FollowCursor }>();
  for (const d of findLogDirs(options.dirs, options.service)) cursors.set(d.dir, { meta: d.meta, cursor: currentCursor(d.dir) });
  const history = readLogs(options);
  if (history.length > 0) yield history;
  while (!options.signal?.aborted) {
    try {
      await sleep(options.pollMs ?? 250, undefined, { signal: options.signal });
    } catch {
      return; // aborted
    }
    for (const d of findLogDirs(options.dirs, options.service)) {
      if (!cursors.has(d.dir)) cursors.set(d.dir, { meta: d.meta, cursor: { ino: 0, offset: 0 } });
    }
    const batch: LogLine[][] = [];
    for (const [dir, entry] of cursors) {
      const { lines, cursor } = readNew(dir, entry.cursor, entry.meta);
      entry.cursor = cursor;
      if (lines.length > 0) batch.push(lines);
    }
    const merged = mergeByTime(batch);
    if (merged.length > 0) yield merged;
  }
}

function readNew(dir: string, cursor: FollowCursor, meta: LogMeta): { lines: LogLine[]; cursor: FollowCursor } {
  let current: { ino: number; size: number };
  try {
    current = statSync(logPath(dir));
  } catch {
    return { lines: [], cursor };
  }
  const lines: LogLine[] = [];
  let offset = cursor.offset;
  if (cursor.ino !== 0 && current.ino !== cursor.ino) {
    // Rotated since the last poll: finish the old file (now generation 1) first.
    try {
      const old = statSync(logPath(dir, 1));
      if (old.ino === cursor.ino) lines.push(...readRange(logPath(dir, 1), cursor.offset, old.size, meta).lines);
    } catch {
      // rotated twice in one poll: those lines are only in older generations
    }
    offset = 0;
  }
  if (current.size < offset) offset = 0;
  const fresh = readRange(logPath(dir), offset, current.size, meta);
  lines.push(...fresh.lines);
  return { lines, cursor: { ino: current.ino, offset: offset + fresh.consumed } };
}

/** Complete lines in [from, to); a line still being written is left for the next poll. */
function readRange(path: string, from: number, to: number, meta: LogMeta): { lines: LogLine[]; consumed: number } {
  if (to <= from) return { lines: [], consumed: 0 };
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    const end = buf.subarray(0, n).lastIndexOf(10) + 1;
    return { lines: parseLines(buf.subarray(0, end).toString('utf8'), meta), consumed: end };
  } finally {
    closeSync(fd);
  }
}
