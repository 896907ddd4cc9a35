import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '../../errors.js';

/** The file in the data dir that holds the TCP listener's bearer token. */
export const API_TOKEN_FILE = 'api-token';

/** 32 random bytes (256 bits), base64url without padding: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43,}$/;

/**
 * Returns the control API's bearer token, generating it at the first start. The file is
 * created 0600 under a name no reader sees half-written (written aside, then hard-linked
 * into place, which fails if another daemon got there first: its token wins).
 */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, API_TOKEN_FILE);
  const existing = await readToken(path);
  if (existing !== undefined) return existing;

  const token = randomBytes(32).toString('base64url');
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(aside, `${token}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(aside, path);
    return token;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const theirs = await readToken(path);
    if (theirs === undefined) throw e;
    return theirs;
  } finally {
    await rm(aside, { force: true });
  }
}

async function readToken(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const token = text.trim();
  if (!TOKEN_PATTERN.test(token)) {
    throw new WharfError('STATE_CORRUPT', `${path} does not hold an API token`, {
      hint: `remove it and restart the daemon to generate a new one (clients then need the new token)`,
    });
  }
  // Someone loosened the mode (a copy, an editor): take it back before serving with it.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return token;
}
