/**
 * The variables an environment's attached add-ons give its apps. Pure.
 *
 * Every add-on gives `<NAME>_URL` (and Redis `<NAME>_KEY_PREFIX`); the first PostgreSQL
 * add-on by name also gives `DATABASE_URL`, the first Redis `REDIS_URL` and
 * `REDIS_KEY_PREFIX`, the names Heroku's add-ons and most frameworks read.
 */
import type { AddonType } from '../state/types.js';

export interface AttachedVars {
  name: string;
  type: AddonType;
  url: string;
  extra: Record<string, string>;
}

const CONVENTIONAL: Record<AddonType, string> = { postgres: 'DATABASE', redis: 'REDIS' };

export function attachmentVars(addons: readonly AttachedVars[]): Record<string, string> {
  const vars: Record<string, string> = {};
  const sorted = [...addons].sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<AddonType>();
  for (const a of sorted) {
    const own = a.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    const prefixes = [own, ...(seen.has(a.type) ? [] : [CONVENTIONAL[a.type]])];
    seen.add(a.type);
    for (const p of prefixes) {
      vars[`${p}_URL`] = a.url;
      for (const [k, v] of Object.entries(a.extra)) vars[`${p}_${k}`] = v;
    }
  }
  return vars;
}
