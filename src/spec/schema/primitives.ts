import { formatDuration, parseDuration } from '../duration.js';
import { formatSize, parseSize, suggestSize } from '../size.js';
import { INVALID, Issues, Schema, typeName, type Checked, type JsonSchema, type PathRef } from './schema.js';

export class StringSchema extends Schema<string> {
  constructor(
    private readonly pattern?: RegExp,
    private readonly patternHint?: string,
  ) {
    super();
  }
  expected(): string {
    return this.patternHint ?? 'a string';
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<string> {
    if (typeof value !== 'string') {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    if (this.pattern && !this.pattern.test(value)) {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    return value;
  }
  protected json(): JsonSchema {
    return this.pattern ? { type: 'string', pattern: this.pattern.source } : { type: 'string' };
  }
}

export class NumberSchema extends Schema<number> {
  constructor(
    private readonly opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {},
  ) {
    super();
  }
  expected(): string {
    const { integer, min, max, exclusiveMin } = this.opts;
    const noun = integer ? 'a whole number' : 'a number';
    if (exclusiveMin !== undefined) return `${noun} greater than ${exclusiveMin}`;
    if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
    if (min !== undefined) return `${noun} of at least ${min}`;
    if (max !== undefined) return `${noun} of at most ${max}`;
    return noun;
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<number> {
    const { integer, min, max, exclusiveMin } = this.opts;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      (min === undefined || value >= min) &&
      (max === undefined || value <= max) &&
      (exclusiveMin === undefined || value > exclusiveMin);
    if (!ok) {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    return value;
  }
  protected json(): JsonSchema {
    const { integer, min, max, exclusiveMin } = this.opts;
    return {
      type: integer ? 'integer' : 'number',
      ...(min === undefined ? {} : { minimum: min }),
      ...(max === undefined ? {} : { maximum: max }),
      ...(exclusiveMin === undefined ? {} : { exclusiveMinimum: exclusiveMin }),
    };
  }
}

export class BooleanSchema extends Schema<boolean> {
  expected(): string {
    return 'true or false';
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<boolean> {
    if (typeof value !== 'boolean') {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    return value;
  }
  protected json(): JsonSchema {
    return { type: 'boolean' };
  }
}

export class EnumSchema<V extends string> extends Schema<V> {
  constructor(private readonly values: readonly V[]) {
    super();
  }
  expected(): string {
    return `one of ${this.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<V> {
    if (typeof value !== 'string' || !(this.values as readonly string[]).includes(value)) {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    return value as V;
  }
  protected json(): JsonSchema {
    return { type: 'string', enum: [...this.values] };
  }
}

/** A duration written as text ("2s", "500ms"), parsed to milliseconds. */
export class DurationSchema extends Schema<number> {
  expected(): string {
    return 'a duration like "2s" or "500ms"';
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<number> {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      const hint = typeof value === 'number' ? `write it with a unit, e.g. "${value}s"` : 'units: ms, s, m, h';
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`, hint);
      return INVALID;
    }
    return ms;
  }
  override renderDefault(ms: number): unknown {
    return formatDuration(ms);
  }
  protected json(): JsonSchema {
    return { type: 'string', pattern: '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+$' };
  }
}

/** A size written as text ("512Mi", "1Gi"), parsed to bytes. */
export class SizeSchema extends Schema<number> {
  expected(): string {
    return 'a size like "512Mi" or "1Gi"';
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<number> {
    const bytes = typeof value === 'string' ? parseSize(value) : undefined;
    if (bytes === undefined || bytes === 0) {
      const suggestion = typeof value === 'string' ? suggestSize(value) : undefined;
      const hint = suggestion ? `did you mean "${suggestion}"?` : 'units: Ki, Mi, Gi, Ti (×1024) or k, M, G, T (×1000)';
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`, hint);
      return INVALID;
    }
    return bytes;
  }
  override renderDefault(bytes: number): unknown {
    return formatSize(bytes);
  }
  protected json(): JsonSchema {
    return { type: 'string', pattern: '^\\d+(?:\\.\\d+)?(?:Ki|Mi|Gi|Ti|k|M|G|T)$' };
  }
}

/**
 * An environment variable value. YAML reads `PORT: 3000` as a number and `DEBUG: true` as a
 * boolean; like docker compose and Heroku's app.json we accept scalars and keep them as text.
 */
export class EnvValueSchema extends Schema<string> {
  expected(): string {
    return 'a string, number or boolean';
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<string> {
    if (typeof value === 'string') {
      if (value.includes('\0')) {
        issues.add(path, 'environment values cannot contain NUL characters');
        return INVALID;
      }
      return value;
    }
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
    issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
    return INVALID;
  }
  protected json(): JsonSchema {
    return { type: ['string', 'number', 'boolean'] };
  }
}
