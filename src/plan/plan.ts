import { createHash } from 'node:crypto';
import type { ResourceKind, ResourceRecord } from '../state/types.js';
import { diffValues, leaves } from './diff.js';
import type { DesiredState, FieldChange, Op, Plan, ResourceChange } from './types.js';

/** Fields that cannot change in place: the resource is replaced (`-/+`). */
const FORCES_REPLACEMENT: Record<ResourceKind, ReadonlySet<string>> = {
  environment: new Set(),
  service: new Set(),
  // An add-on of another type is another server; its data does not carry over.
  addon: new Set(['type']),
};

/** The environment first, then add-ons (services are configured with their URLs), then services. */
const KIND_ORDER: Record<ResourceKind, number> = { environment: 0, addon: 1, service: 2 };

/**
 * The change that takes recorded state to the desired state. Pure: no I/O, no clock; the
 * same inputs give the same plan, down to its hash.
 */
export function plan(desired: DesiredState, recorded: readonly ResourceRecord[], environmentExists: boolean): Plan {
  const key = (kind: string, name: string) => `${kind}.${name}`;
  const current = new Map(recorded.map((r) => [key(r.kind, r.name), r]));
  const changes: ResourceChange[] = [];

  for (const want of desired.resources) {
    const address = key(want.kind, want.name);
    const have = current.get(address);
    current.delete(address);
    const sensitive = want.sensitive ?? [];
    const fields = mark(have ? diffValues(have.body, want.body) : leaves(want.body).map(([path, after]) => ({ path, after })), want.kind, sensitive);
    const op: Op = !have ? 'create' : fields.length === 0 ? 'noop' : fields.some((f) => f.forcesReplacement) ? 'replace' : 'update';
    changes.push({ address, kind: want.kind, name: want.name, op, ...(have ? { before: have.body } : {}), after: want.body, changes: fields, sensitive });
  }
  for (const [address, have] of current) {
    const fields = leaves(have.body).map(([path, before]) => ({ path, before }));
    changes.push({ address, kind: have.kind, name: have.name, op: 'delete', before: have.body, changes: mark(fields, have.kind, []), sensitive: [] });
  }
  changes.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));

  const count = (op: Op) => changes.filter((c) => c.op === op).length;
  const summary = { create: count('create'), update: count('update'), replace: count('replace'), delete: count('delete') };
  const hash = createHash('sha256')
    .update(JSON.stringify([desired.app, desired.env, environmentExists, changes.map((c) => [c.address, c.op, c.before ?? null, c.after ?? null])]))
    .digest('hex')
    .slice(0, 16);
  return { app: desired.app, env: desired.env, createsEnvironment: !environmentExists, changes, summary, hash };
}

export function hasChanges(p: Plan): boolean {
  return p.createsEnvironment || p.changes.some((c) => c.op !== 'noop');
}

function mark(fields: FieldChange[], kind: ResourceKind, sensitive: readonly string[]): FieldChange[] {
  const replacing = FORCES_REPLACEMENT[kind];
  // Nothing to mark (a service, no secrets: most resources): the fields as they are.
  if (sensitive.length === 0 && replacing.size === 0) return fields;
  return fields.map((f) => {
    const dotted = f.path.join('.');
    const isSensitive = sensitive.some((s) => dotted === s || dotted.startsWith(`${s}.`));
    const replaces = replacing.has(String(f.path[0]));
    return { ...f, ...(isSensitive ? { sensitive: true } : {}), ...(replaces && 'before' in f && 'after' in f ? { forcesReplacement: true } : {}) };
  });
}
