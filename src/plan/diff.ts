import { isDeepStrictEqual } from 'node:util';
import type { FieldChange } from './types.js';

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Leaf-level differences between two JSON values: mappings key by key, lists of mappings
 * element by element (so a changed route shows as `routes[0].host`), anything else — lists
 * of scalars included, like canary steps — as one change.
 */
export function diffValues(before: unknown, after: unknown, path: (string | number)[] = []): FieldChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (isMapping(before) && isMapping(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffValues(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after) && (before.some(isMapping) || after.some(isMapping))) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => diffValues(before[i], after[i], [...path, i])).flat();
  }
  if (before === undefined) return leaves(after, path).map(([p, v]) => ({ path: p, after: v }));
  if (after === undefined) return leaves(before, path).map(([p, v]) => ({ path: p, before: v }));
  return [{ path, before, after }];
}

/** Every leaf of a JSON value with its path; scalars, lists of scalars and empty mappings are leaves. */
export function leaves(value: unknown, path: (string | number)[] = []): [(string | number)[], unknown][] {
  const out: [(string | number)[], unknown][] = [];
  collectLeaves(value, path, out);
  return out;
}

// Into one array: a plan of 1,000 new services lists ~25,000 leaves, and building them
// with flatMap made an array per level of every body.
function collectLeaves(value: unknown, path: (string | number)[], out: [(string | number)[], unknown][]): void {
  if (isMapping(value)) {
    const keys = Object.keys(value);
    if (keys.length) {
      for (const k of keys) collectLeaves(value[k], [...path, k], out);
      return;
    }
  } else if (Array.isArray(value) && value.some(isMapping)) {
    for (let i = 0; i < value.length; i++) collectLeaves(value[i], [...path, i], out);
    return;
  }
  out.push([path, value]);
}
