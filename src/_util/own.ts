/**
 * Sets an own, enumerable property. Plain assignment would treat a key named `__proto__`
 * (a valid environment variable name) as the prototype and drop it silently.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
