/**
 * The router process's command line, parsed purely (no I/O) so `wharf router` and the tests
 * share one definition. Unknown flags and missing values are reported together.
 */
import { parseArgs } from 'node:util';
import * as D from '../defaults.js';
import { WharfError } from '../errors.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface RouterArgs {
  dataDir: string;
  listen: HostPort;
  listenTls?: HostPort;
  adminSocket: string;
  metrics?: HostPort;
  /** File for JSON-lines access log, `-` for stdout; off when absent. */
  accessLog?: string;
  maxHeaderBytes: number;
  headerTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Internal: started by a running router to take over its sockets (handoff.ts). */
  handoff: boolean;
}

export const USAGE =
  'usage: router --data-dir DIR --listen HOST:PORT --admin-socket PATH [--listen-tls HOST:PORT] [--metrics HOST:PORT]\n' +
  '              [--access-log FILE|-] [--max-header-bytes N] [--header-timeout-ms N] [--keep-alive-timeout-ms N]';

export function parseRouterArgs(argv: readonly string[]): RouterArgs {
  let v: ReturnType<typeof parse>;
  try {
    v = parse(argv);
  } catch (e) {
    throw new WharfError('USAGE', (e as Error).message, { hint: USAGE });
  }
  const o = v.values;
  const problems: string[] = [];
  const need = (name: string, x: string | undefined): string => {
    if (x === undefined || x === '') problems.push(`--${name} is required`);
    return x ?? '';
  };
  const addr = (name: string, x: string | undefined): HostPort | undefined => {
    if (x === undefined) return undefined;
    const hp = parseHostPort(x);
    if (hp === undefined) problems.push(`--${name}: expected HOST:PORT, got ${JSON.stringify(x)}`);
    return hp;
  };
  const num = (name: string, x: string | undefined, dflt: number): number => {
    if (x === undefined) return dflt;
    const n = Number(x);
    if (!Number.isSafeInteger(n) || n <= 0) problems.push(`--${name}: expected a positive integer, got ${JSON.stringify(x)}`);
    return n;
  };
  const args: RouterArgs = {
    dataDir: need('data-dir', o['data-dir']),
    listen: addr('listen', need('listen', o.listen)) ?? { host: '', port: 0 },
    adminSocket: need('admin-socket', o['admin-socket']),
    maxHeaderBytes: num('max-header-bytes', o['max-header-bytes'], D.DEFAULT_ROUTER_MAX_HEADER_BYTES),
    headerTimeoutMs: num('header-timeout-ms', o['header-timeout-ms'], D.DEFAULT_ROUTER_HEADER_TIMEOUT_MS),
    keepAliveTimeoutMs: num('keep-alive-timeout-ms', o['keep-alive-timeout-ms'], D.DEFAULT_ROUTER_KEEP_ALIVE_TIMEOUT_MS),
    handoff: o.handoff === true,
  };
  const tls = addr('listen-tls', o['listen-tls']);
  if (tls) args.listenTls = tls;
  const metrics = addr('metrics', o.metrics);
  if (metrics) args.metrics = metrics;
  if (o['access-log'] !== undefined) args.accessLog = o['access-log'];
  if (problems.length > 0) throw new WharfError('USAGE', problems.join('; '), { hint: USAGE, details: problems });
  return args;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      listen: { type: 'string' },
      'listen-tls': { type: 'string' },
      'admin-socket': { type: 'string' },
      metrics: { type: 'string' },
      'access-log': { type: 'string' },
      'max-header-bytes': { type: 'string' },
      'header-timeout-ms': { type: 'string' },
      'keep-alive-timeout-ms': { type: 'string' },
      handoff: { type: 'boolean' },
    },
  });
}

/** `127.0.0.1:8080`, `[::1]:8080`, `:8080` (all interfaces). */
export function parseHostPort(s: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
