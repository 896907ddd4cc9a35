/**
 * The access log: one JSON object per line, written through a buffered stream so a slow
 * disk delays log lines, never requests. Off unless the router is started with --access-log.
 */
import fs from 'node:fs';
import type { Writable } from 'node:stream';

export interface AccessEntry {
  time: string;
  requestId: string;
  method: string;
  host: string;
  path: string;
  status: number;
  durationMs: number;
  route?: string;
  release?: string;
  instance?: string;
  attempts: number;
  clientIp: string;
  bytesOut: number;
  /** Why the router answered itself, e.g. `connect-failed`, `timeout`, `queue-full`. */
  error?: string;
}

export interface AccessLog {
  write(e: AccessEntry): void;
  close(): Promise<void>;
}

export function openAccessLog(target: string): AccessLog {
  const out: Writable = target === '-' ? process.stdout : fs.createWriteStream(target, { flags: 'a' });
  return {
    write(e) {
      out.write(JSON.stringify(e) + '\n');
    },
    close() {
      if (out === process.stdout) return Promise.resolve();
      return new Promise((resolve) => out.end(resolve));
    },
  };
}
