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
  if (isMapping(value) && Object.keys(value).length) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  if (Array.isArray(value) && value.some(isMapping)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  return [[path, value]];
}
