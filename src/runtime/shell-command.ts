/**
 * The argv an instance's command runs as. Procfile lines are shell command lines, so they go
 * through `/bin/sh -c`. When the line is one plain command, it is prefixed with `exec` so
 * the shell replaces itself with the app: the app is then the group leader, its exit status
 * and signal are reported as they are (not as a shell's 128+n), and no idle shell sits in
 * memory beside every instance. Debian's dash does not do this by itself.
 *
 * "Plain" is decided conservatively: only words made of characters that mean nothing to the
 * shell (POSIX.1-2017 Shell & Utilities §2.2, §2.6), and a first word that is neither a
 * variable assignment nor a shell keyword or special builtin. Anything else runs as written.
 */

const PLAIN_WORD = /^[A-Za-z0-9_./:@%+,=-]+$/;
const NOT_EXECUTABLE = new Set([
  // Reserved words (§2.4) and special built-ins (§2.14): `exec` would not mean the same.
  'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', 'in',
  'break', 'continue', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift',
  'trap', 'unset', 'times', '.', ':', 'cd', 'wait', 'ulimit', 'umask', 'alias', 'source',
]);

export function shellArgs(command: string): string[] {
  const trimmed = command.trim();
  const words = trimmed.split(/[ \t]+/);
  const first = words[0] ?? '';
  const plain = words.every((w) => PLAIN_WORD.test(w)) && !first.includes('=') && !NOT_EXECUTABLE.has(first);
  return ['-c', plain ? `exec ${trimmed}` : command];
}
