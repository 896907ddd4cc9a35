import { isAbsolute } from 'node:path';
import { WharfError } from '../../errors.js';

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

export function requiredString(body: unknown, name: string): string {
  const value = field(body, name);
  if (typeof value !== 'string' || value === '') throw new WharfError('BAD_REQUEST', `body.${name}: expected a non-empty string`);
  return value;
}

export function optionalString(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new WharfError('BAD_REQUEST', `body.${name}: expected a string`);
  return value;
}

/** A duration in whole milliseconds, when the body has one. */
export function optionalMs(body: unknown, name: string): number | undefined {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new WharfError('BAD_REQUEST', `body.${name}: expected a whole number of milliseconds, 0 or more`);
  return value;
}

/** The app folder a request names; absolute, because the daemon's working directory is not the caller's. */
export function appDir(body: unknown): string {
  const dir = requiredString(body, 'dir');
  if (!isAbsolute(dir)) throw new WharfError('BAD_REQUEST', `body.dir: expected an absolute path, got "${dir}"`);
  return dir;
}

export function queryInt(query: URLSearchParams, name: string, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new WharfError('BAD_REQUEST', `?${name}: expected a whole number from 0 to ${max}`);
  return n;
}
