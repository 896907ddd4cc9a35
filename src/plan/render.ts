import { writtenValue } from '../spec/written-form.js';
import type { FieldChange, Op, Plan, ResourceChange } from './types.js';

const SYMBOL: Record<Op, string> = { create: '+', update: '~', replace: '-/+', delete: '-', noop: ' ' };
const VERB: Record<Op, string> = {
  create: 'will be created',
  update: 'will be updated in place',
  replace: 'must be replaced',
  delete: 'will be destroyed',
  noop: 'is unchanged',
};
/** ANSI SGR colours (ECMA-48 §8.3.117), as terraform uses them. */
const COLOUR: Record<Op, string> = { create: '\x1b[32m', update: '\x1b[33m', replace: '\x1b[31m', delete: '\x1b[31m', noop: '' };
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';

export const SENSITIVE = '(sensitive value)';

/** The plan as terraform shows one: what will change, resource by resource, then a summary. */
export function renderPlan(plan: Plan, opts: { color: boolean }): string {
  const paint = (op: Op, text: string) => (opts.color && COLOUR[op] ? `${COLOUR[op]}${text}${RESET}` : text);
  const bold = (text: string) => (opts.color ? `${BOLD}${text}${RESET}` : text);
  const active = plan.changes.filter((c) => c.op !== 'noop');
  const where = `${plan.app}/${plan.env}`;
  if (active.length === 0) return `No changes. ${where} matches the spec.\n`;

  const lines = [`Wharf will perform the following actions on ${where}:`, ''];
  for (const change of active) {
    lines.push(bold(`  # ${change.address} ${VERB[change.op]}`));
    lines.push(`${paint(change.op, SYMBOL[change.op].padStart(3))} ${change.kind} "${change.name}" {`);
    const rows = change.changes.map((f) => fieldRow(change, f));
    let width = 0;
    for (const r of rows) width = Math.max(width, r.path.length);
    for (const r of rows) lines.push(`      ${paint(r.op, r.symbol)} ${r.path.padEnd(width)} = ${r.text}`);
    lines.push('    }', '');
  }
  const s = plan.summary;
  lines.push(`${bold('Plan:')} ${s.create} to add, ${s.update} to change, ${s.replace} to replace, ${s.delete} to destroy.`);
  return lines.join('\n') + '\n';
}

function fieldRow(change: ResourceChange, f: FieldChange): { op: Op; symbol: string; path: string; text: string } {
  const path = formatFieldPath(f.path);
  const show = (v: unknown) => (f.sensitive ? SENSITIVE : formatValue(writtenValue(change.kind, f.path, v)));
  if (!('before' in f)) return { op: 'create', symbol: '+', path, text: show(f.after) };
  if (!('after' in f)) return { op: 'delete', symbol: '-', path, text: show(f.before) };
  const note = f.forcesReplacement ? ' # forces replacement' : '';
  const text = f.sensitive ? `${SENSITIVE}${note}` : `${show(f.before)} -> ${show(f.after)}${note}`;
  return { op: 'update', symbol: '~', path, text };
}

/** `routes[0].host`: one string built by appending, not an array of parts per field. */
function formatFieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const p = path[i]!;
    out += typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`;
  }
  return out;
}

function formatValue(v: unknown): string {
  if (v === undefined) return 'null';
  return JSON.stringify(v);
}

/** The plan for --json: the same data, with sensitive values replaced by a marker. */
export function planForJson(plan: Plan): Plan {
  return {
    ...plan,
    changes: plan.changes.map((c) => ({
      ...c,
      ...(c.before === undefined ? {} : { before: mask(c.before, c.sensitive) }),
      ...(c.after === undefined ? {} : { after: mask(c.after, c.sensitive) }),
      changes: c.changes.map((f) =>
        f.sensitive ? { ...f, ...('before' in f ? { before: SENSITIVE } : {}), ...('after' in f ? { after: SENSITIVE } : {}) } : f,
      ),
    })),
  };
}

function mask(body: unknown, sensitive: readonly string[], prefix = ''): unknown {
  if (sensitive.includes(prefix)) return SENSITIVE;
  if (typeof body !== 'object' || body === null) return body;
  if (Array.isArray(body)) return body.map((v, i) => mask(v, sensitive, prefix ? `${prefix}.${i}` : String(i)));
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, mask(v, sensitive, prefix ? `${prefix}.${k}` : k)]));
}
