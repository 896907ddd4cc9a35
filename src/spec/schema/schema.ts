/**
 * A small schema language: one definition gives Wharf's TypeScript types (`Infer`), the
 * validation of wharf.yaml (every problem collected, each with its path), the JSON Schema
 * that editors use, and the documentation behind the annotated example (`wharf init`).
 *
 * Why not an off-the-shelf validator: we need every problem at once with a path we can map
 * back to a YAML position, "did you mean" for unknown keys, strict duration and size types,
 * and the docs of each field to render comments. Each of those is a few lines here.
 */

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/**
 * Where a check is, as a linked list from the leaf up: every field checked gets one small
 * node instead of a copied array, and the array is made only when a problem is reported.
 */
export type PathRef = { readonly up: PathRef; readonly seg: PathSegment } | undefined;

/** The top of the document. */
export const ROOT: PathRef = undefined;

export function child(ref: PathRef, seg: PathSegment): PathRef {
  return { up: ref, seg };
}

export function toPath(ref: PathRef): PathSegment[] {
  const out: PathSegment[] = [];
  for (let r = ref; r; r = r.up) out.push(r.seg);
  return out.reverse();
}

export interface Issue {
  path: Path;
  message: string;
  hint?: string | undefined;
  /** Point at the key (an unknown key) rather than its value. */
  at?: 'key' | 'value';
}

/** Collects issues during one parse; never throws. */
export class Issues {
  readonly list: Issue[] = [];
  /** Shared by the checks of several documents that share parts (the environments' merges). */
  constructor(readonly memo?: CheckMemo) {}
  add(path: PathRef, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.list.push({ path: toPath(path), message, hint, at });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

/**
 * Checks already made, by schema, value (by identity) and path. An environment's merged spec
 * shares every part its overlay leaves alone with the base spec (merge patches copy only
 * what they change), so each of those parts is checked once, not once per environment.
 * A check depends only on its schema, value and path, so replaying its result and issues is
 * exactly what checking again would give.
 */
export class CheckMemo {
  private readonly done = new WeakMap<object, Map<Schema<unknown, boolean>, { path: PathRef; result: unknown; issues: Issue[] }[]>>();

  check<T>(schema: Schema<T, boolean>, value: unknown, path: PathRef, issues: Issues): Checked<T> {
    if (typeof value !== 'object' || value === null) return schema.check(value, path, issues);
    let bySchema = this.done.get(value);
    if (!bySchema) this.done.set(value, (bySchema = new Map()));
    let made = bySchema.get(schema);
    if (!made) bySchema.set(schema, (made = []));
    const hit = made.find((m) => samePath(m.path, path));
    if (hit) {
      issues.list.push(...hit.issues);
      return hit.result as Checked<T>;
    }
    const from = issues.list.length;
    const result = schema.check(value, path, issues);
    made.push({ path, result, issues: issues.list.slice(from) });
    return result;
  }
}

function samePath(a: PathRef, b: PathRef): boolean {
  for (; a && b; a = a.up, b = b.up) if (a === b) return true; else if (a.seg !== b.seg) return false;
  return a === b;
}

/** `schema.check`, through the memo of `issues` when it has one. */
export function checkPart<T>(schema: Schema<T, boolean>, value: unknown, path: PathRef, issues: Issues): Checked<T> {
  return issues.memo ? issues.memo.check(schema, value, path, issues) : schema.check(value, path, issues);
}

/** Returned by a check that reported an issue; the parent skips the value. */
export const INVALID: unique symbol = Symbol('invalid');
export type Checked<T> = T | typeof INVALID;

export type JsonSchema = Record<string, unknown>;

export interface Meta<T> {
  /** One or two sentences for people: JSON Schema `description`, comment in the example. */
  doc?: string;
  default?: T;
  /** Whether the key may be left out (fields only). Fields with a default are optional too. */
  optional?: boolean;
}

export abstract class Schema<T, Opt extends boolean = false> {
  meta: Meta<T> = {};
  /** Phantom: carries optionality in the type, for `Infer`. */
  declare readonly _optional: Opt;

  /** Validates and converts `value`, reporting problems to `issues` under `path`. */
  abstract check(value: unknown, path: PathRef, issues: Issues): Checked<T>;

  /** JSON Schema (2020-12) of the input this schema accepts. */
  protected abstract json(): JsonSchema;

  /** A short phrase for error messages: "a duration like \"2s\"". */
  abstract expected(): string;

  jsonSchema(): JsonSchema {
    const out: JsonSchema = { ...this.json() };
    if (this.meta.doc) out['description'] = this.meta.doc;
    if (this.meta.default !== undefined) out['default'] = this.renderDefault(this.meta.default);
    return out;
  }

  /** How a default value is written in the file (durations and sizes render back to text). */
  renderDefault(value: T): unknown {
    return value;
  }

  describe(doc: string): this {
    this.meta.doc = doc;
    return this;
  }

  optional(): Schema<T, true> {
    this.meta.optional = true;
    return this as unknown as Schema<T, true>;
  }

  /** Optional in the file; filled with `value` when absent. */
  default(value: T): Schema<T, false> {
    this.meta.default = value;
    this.meta.optional = true;
    return this as unknown as Schema<T, false>;
  }
}

export type Infer<S> = S extends Schema<infer T, boolean> ? T : never;

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}
