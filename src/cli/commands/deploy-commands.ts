import type { DeployLine } from '../../client/wharf-client.js';
import type { Command, CommandContext } from '../command.js';
import { connect } from '../connect.js';
import { print, printJson } from '../io.js';
import { APP, appAndEnv, appDirOf, JSON_OPTION } from '../options.js';

/** Progress as it comes: one line per step, build output indented under it. */
function showLine(ctx: CommandContext, json: boolean): (line: DeployLine) => void {
  return (line) => {
    if (json) return print(ctx.io, JSON.stringify(line));
    if ('output' in line) return print(ctx.io, `    ${line.output.text}`);
    const p = line.progress;
    const clock = new Date(p.time).toISOString().slice(11, 19);
    print(ctx.io, `${clock}  ${p.service ? `${p.service}: ` : ''}${p.message}`);
  };
}

export const deploy: Command = {
  name: 'deploy',
  summary: 'release the app as it is now and roll it out with each service\'s strategy',
  usage: '[-e ENV] [-C DIR] [--strategy rolling|blue-green|canary] [--uncommitted] [--json]',
  details: [
    'Runs the spec\'s pipeline (check, test) against the new build, then its release command, then',
    'rolls out: rolling, blue-green or canary per service (workers: start new, then stop old).',
    'A release that fails its health gate, crash-loops or fails canary analysis is rolled back,',
    'and wharf exits with status 1. Progress is shown live; `wharf abort` stops a rollout.',
  ],
  options: { ...APP, ...JSON_OPTION, strategy: { type: 'string' }, uncommitted: { type: 'boolean' } },
  async run(ctx) {
    const json = ctx.flags['json'] === true;
    const result = await connect(ctx.io, ctx.flags).deploy(
      { dir: appDirOf(ctx), env: ctx.flags['env'] as string | undefined, strategy: ctx.flags['strategy'] as string | undefined, includeUncommitted: ctx.flags['uncommitted'] === true },
      showLine(ctx, json),
    );
    if (json) return printJson(ctx.io, { result });
    const r = result.release;
    if (r) print(ctx.io, r.rolledOut ? `\nDeployed: v${r.version} is live.` : `\nNothing to deploy: v${r.version} is already live with this source and spec.`);
  },
};

export const rollback: Command = {
  name: 'rollback',
  summary: 'send traffic back to an earlier release (the previous one by default)',
  usage: '[-e ENV] [-C DIR] [vN] [--json]',
  details: ['Within the warm window (10 minutes after a promotion by default) this is a switch of the router\'s table;', 'after it, the release starts again behind the health gate first.'],
  positionals: ['RELEASE'],
  options: { ...APP, ...JSON_OPTION },
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const json = ctx.flags['json'] === true;
    // performance.now() counts from this process's start: what the daemon's second begins at.
    const result = await connect(ctx.io, ctx.flags).rollback(app, env, ctx.args[0], showLine(ctx, json), Math.round(performance.now()));
    if (json) return printJson(ctx.io, { result });
    print(ctx.io, `\nRolled back ${app}/${env} from v${result.from} to v${result.to} (${result.warm ? 'warm' : 'cold'}; traffic switched in ${result.switchMs} ms, ${result.sinceCommandMs} ms after the command).`);
  },
};

export const promote: Command = {
  name: 'promote',
  summary: 'skip the rest of a canary\'s ladder: the new release takes all traffic now',
  usage: '[-e ENV] [-C DIR]',
  options: { ...APP },
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const r = await connect(ctx.io, ctx.flags).promote(app, env);
    print(ctx.io, `Promoting v${r.release} of ${app}/${env}; \`wharf deploy\` shows it finish.`);
  },
};

export const abort: Command = {
  name: 'abort',
  summary: 'stop the rollout under way and roll back to the stable release',
  usage: '[-e ENV] [-C DIR]',
  options: { ...APP },
  async run(ctx) {
    const { app, env } = await appAndEnv(ctx);
    const r = await connect(ctx.io, ctx.flags).abort(app, env);
    print(ctx.io, `Aborting the rollout of v${r.release} in ${app}/${env}: traffic goes back to ${r.stable ? `v${r.stable}` : 'nothing'}.`);
  },
};
