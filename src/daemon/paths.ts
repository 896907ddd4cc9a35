import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where Wharf keeps its state: `--data-dir`, else $WHARF_DATA_DIR, else /var/lib/wharf for
 * root (FHS 3.0 §5.8: app processes, run as an unprivileged user, must be able to pass
 * through to their builds, which they cannot under /root), else the XDG state directory
 * (XDG Base Directory Specification 0.8: $XDG_STATE_HOME, ~/.local/state).
 */
export function resolveDataDir(flag?: string): string {
  if (flag) return resolve(flag);
  const env = process.env['WHARF_DATA_DIR'];
  if (env) return resolve(env);
  if (process.getuid?.() === 0) return '/var/lib/wharf';
  return join(process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'wharf');
}

/** The files of a data dir. */
export function dataDirPaths(dataDir: string) {
  return {
    dataDir,
    /** The control API for local clients (0600). */
    socket: join(dataDir, 'wharf.sock'),
    /** Written by a running daemon: pid, socket, TCP URL; removed when it stops. */
    daemonInfo: join(dataDir, 'daemon.json'),
    /** The output of a daemon started in the background by `wharf up`. */
    daemonLog: join(dataDir, 'daemon.log'),
  };
}

export interface DaemonInfo {
  pid: number;
  socket: string;
  url?: string | undefined;
  version: string;
  startedAt: number;
}
