/**
 * Sets an own, enumerable property. Plain assignment would treat a key named `__proto__`
 * (a valid environment variable name) as the prototype and drop it silently; only that key
 * takes the slow path, because defining properties turns an object into a slow dictionary.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A deep copy of a JSON value (much cheaper than structuredClone for the small defaults it copies). */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, cloneJson(v));
  return out as T;
}
