import type { Command } from '../command.js';
import { connect } from '../connect.js';
import { print, printJson } from '../io.js';
import { APP, appAndEnv, JSON_OPTION } from '../options.js';

export const lockShow: Command = {
  name: 'lock show',
  summary: 'show who holds the environment\'s lock',
  usage: '[-e ENV] [-C DIR] [--json]',
  options: { ...APP, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const { lock } = await connect(ctx.io, ctx.flags).lock(app, env);
    if (ctx.flags['json']) return printJson(ctx.io, lock);
    if (!lock) return print(ctx.io, `${app}/${env} is not locked.`);
    print(ctx.io, `${app}/${env} is locked by ${lock.holder} for ${lock.operation} since ${new Date(lock.acquiredAt).toISOString()} (pid ${lock.pid} on ${lock.hostname}).`);
  },
};

export const lockRelease: Command = {
  name: 'lock release',
  summary: 'release the environment\'s lock, e.g. one left by a crashed apply',
  usage: '[-e ENV] [-C DIR]',
  options: { ...APP },
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const { released } = await connect(ctx.io, ctx.flags).releaseLock(app, env);
    print(ctx.io, `Released the lock of ${released.holder} (${released.operation}) on ${app}/${env}.`);
  },
};
