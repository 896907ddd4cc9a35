import type { Command } from '../command.js';
import { autoscaleStatus } from './autoscale-commands.js';
import { daemon, daemonStatusCommand, daemonStop, routerRestart, routerStatus } from './daemon-commands.js';
import { abort, deploy, promote, rollback } from './deploy-commands.js';
import { lockRelease, lockShow } from './lock-commands.js';
import { apply, plan } from './plan-commands.js';
import { init, schema, validate } from './spec-commands.js';
import { audit, events } from './timeline-commands.js';
import { logs, ps, releases, restart, runCommand, scale } from './runtime-commands.js';
import { up } from './up.js';
import { ADDON_COMMANDS } from './addon-commands.js';
import { config, configGet, configSet, configUnset, secretsRotateKey } from './config-commands.js';
import { envClone, envCreate, envDestroy, envDiff, envList } from './env-commands.js';
import { version } from './version.js';

/** Every command, in the order `wharf --help` lists them. */
export const COMMANDS: readonly Command[] = [
  up, init, validate, plan, apply, deploy, rollback, promote, abort, ps, logs, releases, scale, autoscaleStatus, restart, runCommand, config, configGet, configSet, configUnset, secretsRotateKey, envList, envCreate, envClone, envDestroy, envDiff, ...ADDON_COMMANDS, events, audit, lockShow, lockRelease, schema, daemon, daemonStop, daemonStatusCommand, routerStatus, routerRestart, version,
];
