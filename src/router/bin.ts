#!/usr/bin/env node
/**
 * Entry of the router process (`wharf router` runs it). The one place in the router that
 * turns an error into text and an exit code.
 */
import { isWharfError } from '../errors.js';
import { parseRouterArgs } from './args.js';
import { runRouterProcess } from './router-process.js';
import { tell } from './handoff.js';

const argv = process.argv.slice(2);
try {
  await runRouterProcess(parseRouterArgs(argv), argv);
} catch (e) {
  const message = isWharfError(e) ? `${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}` : String((e as Error)?.stack ?? e);
  tell({ type: 'failed', message });
  process.stderr.write(`router: ${message}\n`);
  process.exit(isWharfError(e) && e.code === 'USAGE' ? 2 : 1);
}
