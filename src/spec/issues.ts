import { WharfError } from '../errors.js';

/** A problem in an app's spec, located in the file a person edits. */
export interface SpecIssue {
  file: string;
  line?: number | undefined;
  col?: number | undefined;
  /** Dotted path as written in the file, e.g. `environments.staging.services.web.instances`. */
  path: string;
  message: string;
  hint?: string | undefined;
  /** Set when the problem only arises in one environment's merged spec. */
  environment?: string | undefined;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('') || '(top level)';
}

/** `wharf.yaml:12:7 services.web.health.interval: expected … (did you mean …?)` */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.col ?? 1}`;
  const env = issue.environment ? ` [environment ${issue.environment}]` : '';
  const hint = issue.hint ? ` (${issue.hint})` : '';
  return `${where} ${issue.path}: ${issue.message}${hint}${env}`;
}

export function specInvalid(file: string, issues: SpecIssue[]): WharfError {
  const n = issues.length;
  const lines = issues.map((i) => `  ${formatIssue(i)}`).join('\n');
  return new WharfError('SPEC_INVALID', `${file} has ${n} problem${n === 1 ? '' : 's'}:\n${lines}`, {
    hint: 'fix these and run `wharf validate` again',
    details: { issues },
  });
}
