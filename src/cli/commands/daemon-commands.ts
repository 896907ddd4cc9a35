import { resolveDataDir } from '../../daemon/paths.js';
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';
import { daemonStatus, DEFAULT_ROUTER_LISTEN, parseListen, routerListen, stopDaemon } from '../daemon-process.js';
import { print, printJson } from '../io.js';
import { JSON_OPTION } from '../options.js';
import { connect } from '../connect.js';
import { WharfError } from '../../errors.js';

export const daemon: Command = {
  name: 'daemon',
  summary: 'run the control daemon in the foreground (`wharf up` starts it in the background)',
  usage: '[--listen HOST:PORT] [--http HOST:PORT|off] [--router-priority realtime|normal]',
  details: [
    '--listen also serves the control API on TCP; every request there needs the bearer token (data dir: api-token).',
    `--http is where the router serves the apps (default: the last one used, else ${DEFAULT_ROUTER_LISTEN}); off runs no router.`,
    '--router-priority: the CPU class of the router\'s event loop (default: $WHARF_ROUTER_PRIORITY, else realtime,',
    'where the host allows it: root, and two CPUs or more); normal shares the CPU with the apps and deploys.',
  ],
  options: { listen: { type: 'string' }, http: { type: 'string' }, 'router-priority': { type: 'string' } },
  async run(ctx) {
    const dataDir = resolveDataDir(ctx.flags['data-dir'] as string | undefined);
    const listen = ctx.flags['listen'] ? parseListen(ctx.flags['listen'] as string) : undefined;
    const http = routerListen(dataDir, ctx.flags['http'] as string | undefined);
    const realtime = routerRealtime((ctx.flags['router-priority'] as string | undefined) ?? process.env['WHARF_ROUTER_PRIORITY']);
    // Loaded here, not at the top: every other command (`wharf plan` first) would pay for
    // importing the whole daemon — its store, runtime, router and deploys — at start-up.
    const { startDaemon } = await import('../../daemon/daemon.js');
    const d = await startDaemon({ dataDir, listen, router: http ? { listen: http, realtime } : undefined });
    print(ctx.io, `wharf daemon ${VERSION} (pid ${process.pid}) serving ${d.socketPath}${d.url ? ` and ${d.url}` : ''}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await d.stop();
    print(ctx.io, 'wharf daemon stopped');
  },
};

/** `--router-priority` (or $WHARF_ROUTER_PRIORITY): whether the router runs real-time. */
function routerRealtime(value: string | undefined): boolean {
  if (value === undefined || value === 'realtime') return true;
  if (value === 'normal') return false;
  throw new WharfError('USAGE', `--router-priority: expected realtime or normal, got "${value}"`, { hint: '$WHARF_ROUTER_PRIORITY, when set, takes the same values' });
}

export const daemonStop: Command = {
  name: 'daemon stop',
  summary: 'stop the background daemon (apps keep running)',
  usage: '',
  async run(ctx) {
    const stopped = await stopDaemon(resolveDataDir(ctx.flags['data-dir'] as string | undefined));
    print(ctx.io, stopped ? `Stopped the daemon (pid ${stopped.pid}${stopped.forced ? ', killed after the timeout' : ''}).` : 'The daemon is not running.');
  },
};

export const daemonStatusCommand: Command = {
  name: 'daemon status',
  summary: 'say whether the daemon is running',
  usage: '[--json]',
  options: { ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const status = await daemonStatus(resolveDataDir(ctx.flags['data-dir'] as string | undefined));
    if (ctx.flags['json']) return printJson(ctx.io, status ?? { ok: false });
    print(ctx.io, status ? `The daemon is running: version ${status.version}, pid ${status.pid}, data dir ${status.dataDir}.` : 'The daemon is not running (`wharf up` starts it).');
    return status ? 0 : 1;
  },
};

export const routerRestart: Command = {
  name: 'router restart',
  summary: 'replace the router process without dropping a request (also how it is upgraded)',
  usage: '',
  async run(ctx) {
    const { pid } = await connect(ctx.io, ctx.flags).restartRouter();
    print(ctx.io, `The router was handed over to a new process (pid ${pid}).`);
  },
};

export const routerStatus: Command = {
  name: 'router status',
  summary: 'say where the router serves and which process it is',
  usage: '[--json]',
  options: { ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const client = connect(ctx.io, ctx.flags);
    const { router } = await client.status();
    const metrics = router ? (await client.routerMetrics()).metrics : null;
    if (ctx.flags['json']) return printJson(ctx.io, router ? { ...router, metrics } : null);
    if (!router) return print(ctx.io, 'The daemon runs no router (started with --http off).');
    print(ctx.io, `The router serves http://${router.listen.host}:${router.listen.port} (pid ${router.pid}, table generation ${metrics?.generation ?? '?'}, ${router.cpu} CPU priority).`);
    if (router.problem) print(ctx.io, `  Not real-time: ${router.problem}.`);
    for (const route of metrics?.routes ?? []) {
      const r = route.requests;
      const l = route.latencyMs['10s'];
      print(ctx.io, `  ${route.id}: ${r['2xx'] + r['3xx']} ok, ${r['4xx']} 4xx, ${r['5xx']} 5xx, ${route.inFlight} in flight; last 10s p50 ${l.p50} ms, p99 ${l.p99} ms over ${l.count}`);
      for (const g of route.groups) {
        const states = g.instances.map((i) => `${i.id.split('.').pop()} ${i.health}${i.ejected ? ' ejected' : ''}${i.drain === 'serving' ? '' : ` ${i.drain}`}`);
        print(ctx.io, `    ${g.release} weight ${g.weight}: ${states.join(', ') || 'no instances'}`);
      }
    }
  },
};
