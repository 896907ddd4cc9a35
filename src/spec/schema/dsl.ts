/** Short constructors, so that a schema reads like the file it describes. */
import { ArraySchema, ObjectSchema, RecordSchema, type Fields } from './composite.js';
import {
  BooleanSchema,
  DurationSchema,
  EnumSchema,
  EnvValueSchema,
  NumberSchema,
  SizeSchema,
  StringSchema,
} from './primitives.js';
import type { Schema } from './schema.js';

export const str = (pattern?: RegExp, expected?: string) => new StringSchema(pattern, expected);
export const int = (opts: { min?: number; max?: number } = {}) => new NumberSchema({ ...opts, integer: true });
export const num = (opts: { min?: number; max?: number; exclusiveMin?: number } = {}) => new NumberSchema(opts);
export const bool = () => new BooleanSchema();
export const oneOf = <V extends string>(...values: V[]) => new EnumSchema(values);
export const duration = () => new DurationSchema();
export const size = () => new SizeSchema();
export const envValue = () => new EnvValueSchema();
export const obj = <F extends Fields>(fields: F) => new ObjectSchema(fields);
export const list = <V extends Schema<unknown, boolean>>(items: V, minItems = 0) => new ArraySchema(items, minItems);
export const mapOf = <V extends Schema<unknown, boolean>>(
  values: V,
  key: { pattern: RegExp; expected: string },
  minEntries = 0,
) => new RecordSchema(values, key, minEntries);
