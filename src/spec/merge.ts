import { cloneJson, setOwn } from '../_util/own.js';
import { isMapping } from './schema/composite.js';

/**
 * Applies an environment overlay to a spec document with JSON Merge Patch semantics
 * (RFC 7396 §2): mappings merge key by key, `null` removes a key, and anything else —
 * lists included — replaces the value. Inputs are never modified.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMapping(patch)) return cloneJson(patch);
  const out: Record<string, unknown> = isMapping(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}
