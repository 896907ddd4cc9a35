import { parseArgs } from 'node:util';
import { WharfError } from '../errors.js';
import { EXIT, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { reportError } from './error-boundary.js';
import { commandHelp, mainHelp } from './help.js';
import { useColor, type Io } from './io.js';
import { GLOBAL } from './options.js';

/** Finds the longest command name the arguments start with: `lock release` before `lock`. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(' ').length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** Runs the CLI and returns its exit status. The only place errors turn into text. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  const color = useColor(io, { 'no-color': argv.includes('--no-color') });
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.stdout.write(mainHelp(COMMANDS));
      return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
    }
    if (argv[0] === '--version') argv = ['version'];
    const found = findCommand(argv);
    if (!found) {
      const known = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]))].join(', ');
      throw new WharfError('USAGE', `unknown command "${argv[0]}"`, { hint: `commands: ${known}; \`wharf --help\` describes them` });
    }
    const { command, rest } = found;
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL, ...command.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new WharfError('USAGE', `wharf ${command.name}: ${(e as Error).message}`, { hint: `\`wharf ${command.name} --help\` lists its options` });
    }
    if (parsed.values['help']) {
      io.stdout.write(commandHelp(command));
      return EXIT.OK;
    }
    const max = command.positionals?.includes('...') ? Infinity : (command.positionals?.length ?? 0);
    if (parsed.positionals.length > max) {
      throw new WharfError('USAGE', `wharf ${command.name}: unexpected argument "${parsed.positionals[max]}"`, { hint: `usage: wharf ${command.name} ${command.usage}` });
    }
    const code = await command.run({ flags: parsed.values as Record<string, string | boolean | string[] | undefined>, args: parsed.positionals, io });
    return code ?? EXIT.OK;
  } catch (e) {
    return reportError(io, e, { verbose, color, json });
  }
}
