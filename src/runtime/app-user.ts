/**
 * The unprivileged identity instances run as when the daemon runs as root, so an app
 * cannot read the daemon's data directory (keys, state: 0700 root) or signal the daemon.
 * Created on first use with `useradd --system` (no home, no login shell), like the
 * dedicated users Debian packages create for their daemons.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WharfError } from '../errors.js';
import { DEFAULT_APP_USER } from '../defaults.js';

export interface Identity {
  uid: number;
  gid: number;
}

/** The uid and primary gid of `name` from /etc/passwd, if the user exists. */
export function lookupUser(name: string, passwd = '/etc/passwd'): Identity | undefined {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** The primary gid of the user with this uid, if /etc/passwd has one. */
export function primaryGid(uid: number, passwd = '/etc/passwd'): number | undefined {
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid) && f[3] !== undefined) return Number(f[3]);
    }
  } catch {
    // no passwd file: the caller falls back
  }
  return undefined;
}

/** The app user's identity, creating the user if it does not exist (root only). */
export function ensureAppUser(name: string = DEFAULT_APP_USER): Identity {
  const found = lookupUser(name);
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name], {
      stdio: 'pipe',
    });
  } catch (e) {
    // Another daemon may have created it between our lookup and useradd (exit status 9).
    if (!lookupUser(name)) {
      throw new WharfError('INTERNAL', `could not create the unprivileged user ${name}`, {
        hint: `create it yourself: useradd --system --user-group ${name}`,
        cause: e,
      });
    }
  }
  const created = lookupUser(name);
  if (!created) throw new WharfError('INTERNAL', `useradd reported success but ${name} is not in /etc/passwd`);
  return created;
}

/** Who instances run as by default: the app user under root, the daemon's own user otherwise. */
export function defaultIdentity(): Identity | undefined {
  return process.getuid?.() === 0 ? ensureAppUser() : undefined;
}
