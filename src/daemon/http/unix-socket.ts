import { lstat, chmod, unlink, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import { WharfError } from '../../errors.js';

/**
 * The unix-socket listener's file: checked before listening, created 0600, removed on stop.
 *
 * sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS, NUL included (unix(7)); a
 * longer path fails in bind() with an unhelpful EINVAL, so it is refused by name here.
 */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/** Removes a stale socket file; refuses a live daemon's socket or a file that is no socket. */
export async function clearSocketPath(path: string): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new WharfError('USAGE', `the socket path is longer than ${MAX_SOCKET_PATH_BYTES} bytes: ${path}`, {
      hint: 'use a shorter data dir',
    });
  }
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!isSocket) {
    throw new WharfError('CONFLICT', `${path} exists and is not a socket`, { hint: 'move it away and start again' });
  }
  if (await answers(path)) {
    throw new WharfError('CONFLICT', `another Wharf daemon is listening on ${path}`, {
      hint: 'stop it with `wharf daemon stop`, or use it as it is',
    });
  }
  await unlink(path);
}

/** Resolves whether something accepts connections on the socket (a stale file refuses them). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Listens on `path` with the file created 0600. bind() creates the file with the process's
 * umask applied, so the umask is narrowed around the (synchronous) bind instead of
 * chmod-ing afterwards, which would leave a moment in which others could connect.
 */
export async function listenUnix(server: Server, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const previous = process.umask(0o177);
  let listening: Promise<void>;
  try {
    listening = new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  await listening;
  await chmod(path, 0o600); // where the platform ignores the umask for sockets
}
