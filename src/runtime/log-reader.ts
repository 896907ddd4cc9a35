/**
 * Reading instance logs back: `wharf logs [-f] [-s SERVICE] [--since 10m] [-n 200]`.
 *
 * Logs are files in per-instance directories, so they survive daemon restarts, instance
 * restarts and redeploys; this module needs nothing but those directories. Lines of all
 * instances are merged by time (stable: lines of one instance keep their order) and tagged
 * with the instance they came from.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { logPath, META_FILE, parseLine, type LogMeta } from './log-line.js';

export interface LogLine {
  time: number;
  /** The instance id: the tag `wharf logs` prints. */
  instance: string;
  service: string;
  release: number;
  text: string;
}

export interface LogQuery {
  /** Instance log directories, or directories holding them (e.g. an environment's log root). */
  dirs: string[];
  /** Only lines at or after this time (ms since epoch). */
  since?: number;
  /** Only the last `tail` lines of the merged result. */
  tail?: number;
  /** Only these services. */
  service?: string | string[];
}

export interface InstanceLogDir {
  dir: string;
  meta: LogMeta;
}

/** The instance log directories under `dirs`, filtered by service. */
export function findLogDirs(dirs: string[], service?: string | string[]): InstanceLogDir[] {
  const wanted = service === undefined ? undefined : new Set(Array.isArray(service) ? service : [service]);
  const found: InstanceLogDir[] = [];
  const visit = (dir: string, depth: number): void => {
    const meta = readMeta(dir);
    if (meta) {
      if (!wanted || wanted.has(meta.service)) found.push({ dir, meta });
      return;
    }
    if (depth === 0) return;
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries.sort()) visit(join(dir, e), depth - 1);
  };
  for (const d of dirs) visit(d, 2);
  return found;
}

function readMeta(dir: string): LogMeta | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as LogMeta;
  } catch {
    return undefined;
  }
}

/** Log files of one instance, oldest first, up to the highest generation present. */
export function logFiles(dir: string): string[] {
  const files: string[] = [];
  for (let g = 1; existsSync(logPath(dir, g)); g++) files.unshift(logPath(dir, g));
  if (existsSync(logPath(dir))) files.push(logPath(dir));
  return files;
}

/**
 * Lines of one instance matching the query, oldest first. Reads newest files first and stops
 * as soon as it has `tail` lines or has passed `since`, so `-n 200` on a big log reads one file.
 */
function readInstance(d: InstanceLogDir, since: number | undefined, tail: number | undefined): LogLine[] {
  const chunks: LogLine[][] = [];
  let count = 0;
  for (const file of logFiles(d.dir).reverse()) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // rotated away while we read: its lines are in the next generation
    }
    const lines = parseLines(text, d.meta);
    const kept = since === undefined ? lines : lines.filter((l) => l.time >= since);
    chunks.unshift(kept);
    count += kept.length;
    if (tail !== undefined && count >= tail) break;
    if (since !== undefined && lines.length > 0 && lines[0]!.time < since) break;
  }
  const all = chunks.flat();
  return tail === undefined ? all : all.slice(Math.max(0, all.length - tail));
}

export function parseLines(text: string, meta: LogMeta): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split('\n')) {
    const parsed = parseLine(raw);
    if (parsed) out.push({ ...parsed, instance: meta.id, service: meta.service, release: meta.release });
  }
  return out;
}

/** Merges per-instance lists (each in time order) into one, stable across instances. */
export function mergeByTime(lists: LogLine[][]): LogLine[] {
  const tagged = lists.flatMap((list, i) => list.map((line, j) => ({ line, i, j })));
  tagged.sort((a, b) => a.line.time - b.line.time || a.i - b.i || a.j - b.j);
  return tagged.map((t) => t.line);
}

export function readLogs(query: LogQuery): LogLine[] {
  const lists = findLogDirs(query.dirs, query.service).map((d) => readInstance(d, query.since, query.tail));
  const merged = mergeByTime(lists);
  return query.tail === undefined ? merged : merged.slice(Math.max(0, merged.length - query.tail));
}

/** The position a follower has reached in one instance's current log file. */
export interface FollowCursor {
  ino: number;
  offset: number;
}

export function currentCursor(dir: string): FollowCursor {
  try {
    const s = statSync(logPath(dir));
    return { ino: s.ino, offset: s.size };
  } catch {
    return { ino: 0, offset: 0 };
  }
}
