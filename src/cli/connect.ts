import { ApiTransport } from '../client/transport.js';
import { WharfClient } from '../client/wharf-client.js';
import { dataDirPaths, resolveDataDir } from '../daemon/paths.js';
import { WharfError } from '../errors.js';
import type { Io } from './io.js';

/**
 * The client of the daemon a command talks to: $WHARF_URL with $WHARF_TOKEN for a remote
 * one, otherwise the unix socket in the data dir.
 */
export function connect(io: Io, flags: Record<string, unknown>): WharfClient {
  const url = io.env['WHARF_URL'];
  if (url) {
    const token = io.env['WHARF_TOKEN'];
    if (!token) throw new WharfError('USAGE', 'WHARF_URL is set but WHARF_TOKEN is not', { hint: 'the token is in the api-token file of the daemon\'s data dir' });
    return new WharfClient(new ApiTransport({ url, token, client: 'cli' }));
  }
  const { socket } = dataDirPaths(resolveDataDir(flags['data-dir'] as string | undefined));
  return new WharfClient(new ApiTransport({ socketPath: socket, client: 'cli' }));
}
