import { ArraySchema, ObjectSchema, RecordSchema } from './schema/composite.js';
import { DurationSchema, SizeSchema } from './schema/primitives.js';
import type { Schema } from './schema/schema.js';
import { addonSchema, serviceSchema } from './wharf-schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = Schema<any, boolean>;

/**
 * Paths (array indices and map keys as `*`) whose values are durations or sizes, derived
 * from the schema, so that plans show "30s" and "512Mi" where the spec stores numbers.
 */
function writtenPaths(schema: AnySchema, prefix: string, out: Map<string, AnySchema>): Map<string, AnySchema> {
  if (schema instanceof DurationSchema || schema instanceof SizeSchema) out.set(prefix, schema);
  else if (schema instanceof ObjectSchema) {
    for (const [k, f] of Object.entries(schema.fields as Record<string, AnySchema>)) writtenPaths(f, prefix ? `${prefix}.${k}` : k, out);
  } else if (schema instanceof RecordSchema || schema instanceof ArraySchema) {
    writtenPaths(schema instanceof RecordSchema ? schema.values : schema.items, `${prefix}.*`, out);
  }
  return out;
}

const BY_KIND: Record<string, Map<string, AnySchema>> = {
  service: writtenPaths(serviceSchema, '', new Map()),
  addon: writtenPaths(addonSchema, '', new Map()),
};

/** The value as a person writes it in wharf.yaml: `interval` 1000 → "1s", `memory` 536870912 → "512Mi". */
export function writtenValue(kind: string, path: readonly (string | number)[], value: unknown): unknown {
  // Only numbers are ever written otherwise: skip building the key for everything else.
  if (typeof value !== 'number') return value;
  const key = path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
  const schema = BY_KIND[kind]?.get(key);
  return schema ? schema.renderDefault(value) : value;
}
