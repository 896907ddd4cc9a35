import { diffValues } from '../plan/diff.js';
import type { ReleaseRecord, ResourceRecord } from '../state/types.js';

/** What `env diff` compares of one environment. */
export interface DiffSide {
  env: string;
  resources: ResourceRecord[];
  /** Each set key with a value to compare by (a secret's plaintext digest; never shown). */
  config: Map<string, string>;
  live?: Pick<ReleaseRecord, 'version' | 'buildId' | 'configVersion'> | undefined;
}

export interface SpecDifference {
  address: string;
  /** `only-a` / `only-b`: the resource exists on one side; `differs`: these fields differ. */
  kind: 'only-a' | 'only-b' | 'differs';
  /** Differing fields; values only for spec fields that cannot hold config (never `env.*`). */
  fields?: { path: string; a?: unknown; b?: unknown }[];
}

export interface EnvDiff {
  a: string;
  b: string;
  spec: SpecDifference[];
  /** Keys only: a value is never shown, a differing one says "differs". */
  config: { name: string; state: 'only-a' | 'only-b' | 'differs' }[];
  releases: { a?: DiffSide['live']; b?: DiffSide['live']; sameBuild: boolean };
  addons: { name: string; a?: unknown; b?: unknown }[];
}

/**
 * Parity drift between two environments (`wharf env diff`): the applied spec (each side's
 * own host names and env values left out), config keys, live releases and add-ons. Pure.
 */
export function envDiff(a: DiffSide, b: DiffSide): EnvDiff {
  const byAddress = (side: DiffSide) => new Map(side.resources.map((r) => [`${r.kind}.${r.name}`, r]));
  const ra = byAddress(a);
  const rb = byAddress(b);
  const spec: SpecDifference[] = [];
  for (const address of [...new Set([...ra.keys(), ...rb.keys()])].sort()) {
    const x = ra.get(address);
    const y = rb.get(address);
    if (!y) spec.push({ address, kind: 'only-a' });
    else if (!x) spec.push({ address, kind: 'only-b' });
    else {
      const fields = diffValues(comparable(x, a.env), comparable(y, b.env)).map((f) => {
        const path = f.path.join('.');
        return f.path[0] === 'env' ? { path } : { path, ...('before' in f ? { a: f.before } : {}), ...('after' in f ? { b: f.after } : {}) };
      });
      if (fields.length) spec.push({ address, kind: 'differs', fields });
    }
  }
  const config: EnvDiff['config'] = [];
  for (const name of [...new Set([...a.config.keys(), ...b.config.keys()])].sort()) {
    const x = a.config.get(name);
    const y = b.config.get(name);
    if (y === undefined) config.push({ name, state: 'only-a' });
    else if (x === undefined) config.push({ name, state: 'only-b' });
    else if (x !== y) config.push({ name, state: 'differs' });
  }
  const addonNames = [...new Set([...a.resources, ...b.resources].filter((r) => r.kind === 'addon').map((r) => r.name))].sort();
  return {
    a: a.env,
    b: b.env,
    spec,
    config,
    releases: { ...(a.live ? { a: a.live } : {}), ...(b.live ? { b: b.live } : {}), sameBuild: a.live !== undefined && a.live.buildId === b.live?.buildId },
    addons: addonNames.map((name) => ({ name, ...optionalBody('a', ra.get(`addon.${name}`)), ...optionalBody('b', rb.get(`addon.${name}`)) })),
  };
}

function optionalBody(key: 'a' | 'b', r: ResourceRecord | undefined): Record<string, unknown> {
  return r ? { [key]: r.body } : {};
}

/** The body with the environment's own host names made alike: every environment has its own. */
function comparable(r: ResourceRecord, env: string): unknown {
  if (r.kind !== 'service') return r.body;
  const body = r.body as { routes?: { host: string; implicit?: boolean }[] };
  const own = `${r.name}.${env}.`;
  return { ...body, ...(body.routes ? { routes: body.routes.map((route) => ({ ...route, host: route.host.startsWith(own) ? '(own host)' : route.host })) } : {}) };
}
