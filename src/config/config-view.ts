import type { ConfigEntry } from '../state/types.js';

/** One variable as `wharf config` lists it: where its value comes from, the value unless it is masked. */
export interface ConfigListing {
  name: string;
  /** `config`: set with `wharf config set`; `spec`: the spec's `env:`. */
  source: 'config' | 'spec';
  /** A set value that replaces the spec's value of the same name. */
  overridesSpec: boolean;
  secret: boolean;
  /** Absent when masked (a secret listed without reveal). */
  value?: string;
  /** The keyed hash of a secret's value (compares values without showing them). */
  digest?: string;
}

/**
 * The spec's env merged with the set values, the set ones winning (Heroku's config vars
 * over an app.json's env), sorted by name. `reveal` opens a secret; without it secrets are
 * masked. Pure.
 */
export function configListing(specEnv: Record<string, string>, entries: readonly ConfigEntry[], reveal?: (entry: ConfigEntry & { secret: true }) => string): ConfigListing[] {
  const set = new Map(entries.map((e) => [e.name, e]));
  const rows: ConfigListing[] = [];
  for (const [name, value] of Object.entries(specEnv)) {
    if (!set.has(name)) rows.push({ name, source: 'spec', overridesSpec: false, secret: false, value });
  }
  for (const e of entries) {
    const overridesSpec = Object.hasOwn(specEnv, e.name);
    if (!e.secret) rows.push({ name: e.name, source: 'config', overridesSpec, secret: false, value: e.value });
    else rows.push({ name: e.name, source: 'config', overridesSpec, secret: true, digest: e.digest, ...(reveal ? { value: reveal(e) } : {}) });
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The set values as a plan sees them: plain values as they are, a secret as a marker with
 * its keyed digest (so the plan shows that it changed, and the recorded resource body never
 * holds it), plus the names to mask. Pure.
 */
export function configForPlan(entries: readonly ConfigEntry[]): { env: Record<string, string>; secrets: string[] } {
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const e of entries) {
    env[e.name] = e.secret ? `(secret ${e.digest})` : e.value;
    if (e.secret) secrets.push(e.name);
  }
  return { env, secrets };
}

/** Applies assignments and removals to a version's entries: the complete next version. Pure. */
export function nextEntries(current: readonly ConfigEntry[], set: readonly ConfigEntry[], unset: readonly string[] = []): ConfigEntry[] {
  const byName = new Map(current.map((e) => [e.name, e]));
  for (const name of unset) byName.delete(name);
  for (const e of set) byName.set(e.name, e);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
