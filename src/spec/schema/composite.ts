import { didYouMean } from '../../_util/did-you-mean.js';
import { cloneJson, setOwn } from '../../_util/own.js';
import { checkPart, INVALID, Issues, Schema, typeName, type Checked, type Infer, type JsonSchema, type PathRef, child } from './schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = Schema<any, boolean>;
export type Fields = Record<string, AnySchema>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends Schema<unknown, true> ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<F extends Fields> = Simplify<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A mapping with known keys; any other key is an error, with "did you mean" when close. */
export class ObjectSchema<F extends Fields> extends Schema<ObjectOf<F>> {
  fillWhenAbsent = false;
  /** The field names and schemas, listed once: check() runs for every service of every environment. */
  private readonly known: string[];
  private readonly entries: [string, AnySchema][];
  constructor(readonly fields: F) {
    super();
    this.known = Object.keys(fields);
    this.entries = Object.entries(fields);
  }
  /** Optional in the file; when absent, every field takes its own default. */
  defaults(): Schema<ObjectOf<F>, false> {
    this.fillWhenAbsent = true;
    this.meta.optional = true;
    return this as unknown as Schema<ObjectOf<F>, false>;
  }
  expected(): string {
    return 'a mapping';
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<ObjectOf<F>> {
    if (!isMapping(value)) {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    const known = this.known;
    let ok = true;
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(this.fields, key)) continue;
      const guess = didYouMean(key, known);
      issues.add(child(path, key), `unknown key "${key}"`, guess ? `did you mean "${guess}"?` : `known keys: ${known.join(', ')}`, 'key');
      ok = false;
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of this.entries) {
      const raw = value[key];
      // `key:` with no value is null in YAML; for an optional key that means "not set".
      if (raw === undefined || (raw === null && field.meta.optional)) {
        if (field instanceof ObjectSchema && field.fillWhenAbsent) {
          const filled = field.check({}, child(path, key), issues);
          if (filled === INVALID) ok = false;
          else out[key] = filled;
        } else if (field.meta.default !== undefined) out[key] = cloneJson(field.meta.default);
        else if (!field.meta.optional) {
          issues.add(child(path, key), `"${key}" is required`, field.meta.doc);
          ok = false;
        }
        continue;
      }
      const checked = checkPart(field, raw, child(path, key), issues);
      if (checked === INVALID) ok = false;
      else out[key] = checked;
    }
    return ok ? (out as ObjectOf<F>) : INVALID;
  }
  protected json(): JsonSchema {
    const required = Object.entries(this.fields)
      .filter(([, f]) => !f.meta.optional)
      .map(([k]) => k);
    return {
      type: 'object',
      properties: Object.fromEntries(Object.entries(this.fields).map(([k, f]) => [k, f.jsonSchema()])),
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    };
  }
}

/** A mapping from names matching `keyPattern` to values of one schema. */
export class RecordSchema<V extends AnySchema> extends Schema<Record<string, Infer<V>>> {
  constructor(
    readonly values: V,
    private readonly key: { pattern: RegExp; expected: string },
    private readonly minEntries = 0,
  ) {
    super();
  }
  expected(): string {
    return `a mapping of ${this.key.expected} to ${this.values.expected()}`;
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<Record<string, Infer<V>>> {
    if (!isMapping(value)) {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    let ok = true;
    const entries = Object.entries(value);
    if (entries.length < this.minEntries) {
      issues.add(path, `expected at least ${this.minEntries} ${this.minEntries === 1 ? 'entry' : 'entries'}`);
      ok = false;
    }
    const out: Record<string, Infer<V>> = {};
    for (const [key, raw] of entries) {
      if (!this.key.pattern.test(key)) {
        issues.add(child(path, key), `"${key}" is not ${this.key.expected}`, undefined, 'key');
        ok = false;
        continue;
      }
      const checked = checkPart(this.values, raw, child(path, key), issues);
      if (checked === INVALID) ok = false;
      else setOwn(out, key, checked as Infer<V>);
    }
    return ok ? out : INVALID;
  }
  protected json(): JsonSchema {
    return {
      type: 'object',
      propertyNames: { pattern: this.key.pattern.source },
      additionalProperties: this.values.jsonSchema(),
      ...(this.minEntries ? { minProperties: this.minEntries } : {}),
    };
  }
}

export class ArraySchema<V extends AnySchema> extends Schema<Infer<V>[]> {
  constructor(
    readonly items: V,
    private readonly minItems = 0,
  ) {
    super();
  }
  expected(): string {
    return `a list of ${this.items.expected()}`;
  }
  check(value: unknown, path: PathRef, issues: Issues): Checked<Infer<V>[]> {
    if (!Array.isArray(value)) {
      issues.add(path, `expected ${this.expected()}, got ${typeName(value)}`);
      return INVALID;
    }
    if (value.length < this.minItems) {
      issues.add(path, `expected at least ${this.minItems} item${this.minItems === 1 ? '' : 's'}`);
      return INVALID;
    }
    let ok = true;
    const out: Infer<V>[] = [];
    value.forEach((raw, i) => {
      const checked = this.items.check(raw, child(path, i), issues);
      if (checked === INVALID) ok = false;
      else out.push(checked as Infer<V>);
    });
    return ok ? out : INVALID;
  }
  protected json(): JsonSchema {
    return { type: 'array', items: this.items.jsonSchema(), ...(this.minItems ? { minItems: this.minItems } : {}) };
  }
}
