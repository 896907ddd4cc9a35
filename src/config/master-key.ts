import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MASTER_KEY_FILE, MASTER_KEY_ENV } from '../defaults.js';
import { WharfError } from '../errors.js';
import { KEY_BYTES, keyIdOf, type MasterKey } from './cipher.js';
import { Sensitive } from './sensitive.js';

/** Where the key in use came from: rotation can rewrite a file, not an environment variable. */
export type KeySource = { kind: 'file'; file: string } | { kind: 'env'; variable: string };

export interface LoadedKey {
  key: MasterKey;
  source: KeySource;
}

export function masterKeyFile(dataDir: string): string {
  return join(dataDir, DEFAULT_MASTER_KEY_FILE);
}

/** The file a rotation writes its new key to before the re-encryption commits. */
export function nextKeyFile(dataDir: string): string {
  return `${masterKeyFile(dataDir)}.next`;
}

export function newMasterKey(): MasterKey {
  const bytes = randomBytes(KEY_BYTES);
  return { id: keyIdOf(bytes), bytes: new Sensitive(bytes) };
}

/** Parses a key written as base64 or hex of 32 bytes; MASTER_KEY_INVALID names where it came from. */
export function parseMasterKey(text: string, from: string): MasterKey {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : undefined;
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new WharfError('MASTER_KEY_INVALID', `${from} does not hold a master key: expected ${KEY_BYTES} bytes written as base64 (44 characters) or hex (64)`, {
      hint: `make one with \`openssl rand -base64 ${KEY_BYTES}\`, or unset it so that Wharf uses (or creates) its key file`,
    });
  }
  return { id: keyIdOf(bytes), bytes: new Sensitive(bytes) };
}

/** The key WHARF_MASTER_KEY gives, else the data dir's key file; undefined when neither exists. Reads only. */
export function readMasterKey(dataDir: string, env: NodeJS.ProcessEnv): LoadedKey | undefined {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { key: parseMasterKey(fromEnv, `$${MASTER_KEY_ENV}`), source: { kind: 'env', variable: MASTER_KEY_ENV } };
  }
  const file = masterKeyFile(dataDir);
  if (!existsSync(file)) return undefined;
  return { key: readKeyFile(file), source: { kind: 'file', file } };
}

export function readKeyFile(file: string): MasterKey {
  return parseMasterKey(readFileSync(file, 'utf8'), file);
}

/**
 * Writes `key` to `file` (0600), durably: flushed before it is renamed into place, so a
 * crash leaves the old file or the new one, never a torn key.
 */
export function writeKeyFile(file: string, key: MasterKey): void {
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.bytes.reveal().toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
