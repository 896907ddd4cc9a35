import { DEFAULT_CONFIG_VALUE_MAX_BYTES } from '../defaults.js';
import { WharfError } from '../errors.js';
import { ENV_KEY } from '../spec/wharf-schema.js';

/** One variable to set. */
export interface Assignment {
  name: string;
  value: string;
  secret: boolean;
}

/** Why `name` cannot be a config key, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  return ENV_KEY.pattern.test(name) ? undefined : `"${name}" is not a valid variable name: expected ${ENV_KEY.expected}`;
}

/** Why `value` cannot be a config value, or undefined. Never quotes the value: it may be a secret. */
export function valueProblem(value: string): string | undefined {
  if (value.includes('\0')) return 'the value contains a NUL byte, which no environment variable can hold';
  if (/[\r\n]/.test(value)) return 'the value contains a line break; config values are single lines (encode multi-line data, e.g. as base64)';
  if (Buffer.byteLength(value) > DEFAULT_CONFIG_VALUE_MAX_BYTES) return `the value is longer than ${DEFAULT_CONFIG_VALUE_MAX_BYTES} bytes`;
  return undefined;
}

/** Checks every name and value and reports every problem at once (BAD_REQUEST); the values are never echoed. */
export function checkAssignments(assignments: readonly Assignment[], where: string): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const a of assignments) {
    const bad = nameProblem(a.name) ?? valueProblem(a.value);
    if (bad) problems.push(`${a.name}: ${bad}`);
    else if (seen.has(a.name)) problems.push(`${a.name}: given twice`);
    seen.add(a.name);
  }
  if (assignments.length === 0) problems.push('nothing to set');
  if (problems.length) throw new WharfError('BAD_REQUEST', `config of ${where}:\n    ${problems.join('\n    ')}`, { hint: 'keys are like DATABASE_URL; values are one line' });
}

export function checkNames(names: readonly string[], where: string): void {
  const problems = names.map((n) => nameProblem(n)).filter((p): p is string => p !== undefined);
  if (names.length === 0) problems.push('no key given');
  if (problems.length) throw new WharfError('BAD_REQUEST', `config of ${where}:\n    ${problems.join('\n    ')}`);
}

/**
 * `KEY=VALUE` arguments as the shell passed them: the value is everything after the first
 * `=`, and may be empty. USAGE for an argument without `=`, naming the argument's key only.
 */
export function parseAssignments(args: readonly string[], secret: boolean): Assignment[] {
  const problems: string[] = [];
  const out: Assignment[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) problems.push(`"${eq === 0 ? '=…' : arg.slice(0, 40)}" is not KEY=VALUE`);
    else out.push({ name: arg.slice(0, eq), value: arg.slice(eq + 1), secret });
  }
  if (problems.length) throw new WharfError('USAGE', problems.join('; '), { hint: 'e.g. wharf config set DATABASE_URL=postgres://… --secret' });
  return out;
}
