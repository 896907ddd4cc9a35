import { startDaemon } from '../../daemon/daemon.js';
import { resolveDataDir } from '../../daemon/paths.js';
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';
import { daemonStatus, parseListen, stopDaemon } from '../daemon-process.js';
import { print, printJson } from '../io.js';
import { JSON_OPTION } from '../options.js';

export const daemon: Command = {
  name: 'daemon',
  summary: 'run the control daemon in the foreground (`wharf up` starts it in the background)',
  usage: '[--listen HOST:PORT]',
  details: ['--listen also serves the control API on TCP; every request there needs the bearer token (data dir: api-token).'],
  options: { listen: { type: 'string' } },
  async run(ctx) {
    const dataDir = resolveDataDir(ctx.flags['data-dir'] as string | undefined);
    const listen = ctx.flags['listen'] ? parseListen(ctx.flags['listen'] as string) : undefined;
    const d = await startDaemon({ dataDir, listen });
    print(ctx.io, `wharf daemon ${VERSION} (pid ${process.pid}) serving ${d.socketPath}${d.url ? ` and ${d.url}` : ''}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await d.stop();
    print(ctx.io, 'wharf daemon stopped');
  },
};

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
