/**
 * The on-disk form of one collected log line and the files of an instance's log directory.
 *
 * A line is `<ISO-8601 UTC time, ms> <text>`: fixed-width timestamps sort as text, a line
 * reads well with `less`, and the reader needs no index to filter `--since`.
 */
import { join } from 'node:path';

/** The app's raw stdout+stderr, appended by the app itself (O_APPEND) and trimmed by the collector. */
export const RAW_FILE = 'output.raw';
/** How far the collector has consumed the raw file, so a new daemon resumes there. */
export const OFFSET_FILE = 'output.raw.offset';
/** The timestamped, rotated log: `output.log`, then `output.log.1` (newer) … `.N` (older). */
export const LOG_FILE = 'output.log';
/** Who the directory belongs to, so that readers can tag and filter without the store. */
export const META_FILE = 'instance.json';

const ISO_LENGTH = '2026-01-01T00:00:00.000Z'.length;

export interface LogMeta {
  id: string;
  app: string;
  env: string;
  service: string;
  release: number;
}

export function rawPath(dir: string): string {
  return join(dir, RAW_FILE);
}

export function offsetPath(dir: string): string {
  return join(dir, OFFSET_FILE);
}

export function logPath(dir: string, generation = 0): string {
  return generation === 0 ? join(dir, LOG_FILE) : join(dir, `${LOG_FILE}.${generation}`);
}

export function formatLine(time: number, text: string): string {
  return `${new Date(time).toISOString()} ${text}\n`;
}

/** Parses one stored line (without its newline); undefined for anything not written by formatLine. */
export function parseLine(line: string): { time: number; text: string } | undefined {
  if (line.length < ISO_LENGTH + 1 || line.charCodeAt(ISO_LENGTH) !== 32) return undefined;
  const time = Date.parse(line.slice(0, ISO_LENGTH));
  if (Number.isNaN(time)) return undefined;
  return { time, text: line.slice(ISO_LENGTH + 1) };
}
