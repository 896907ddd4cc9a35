import { OVERLAY_KEYS, specSchema } from './wharf-schema.js';
import type { JsonSchema } from './schema/schema.js';

/**
 * The JSON Schema (2020-12) of wharf.yaml, for editors (`wharf schema`). Environment
 * overlays are the spec with nothing required, plus `from`.
 */
export function jsonSchemaOf(): JsonSchema {
  const base = specSchema.jsonSchema();
  const properties = { ...(base['properties'] as Record<string, JsonSchema>) };
  const { app: _app, ...overlayProps } = properties;
  const overlay = dropRequired({
    type: 'object',
    properties: { from: { type: 'string', description: OVERLAY_KEYS.from }, ...overlayProps },
    additionalProperties: false,
  });
  properties['environments'] = {
    type: 'object',
    description: 'Named copies of the app (production, staging, preview-…): overlays on the spec above; mappings merge and null removes a key.',
    additionalProperties: { anyOf: [overlay, { type: 'null' }] },
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://wharf.dev/schema/wharf.yaml.json',
    title: 'wharf.yaml',
    ...base,
    properties,
  };
}

/** An overlay may leave anything out, and may set any key to null to remove it. */
function dropRequired(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required' || key === 'minProperties' || key === 'minItems') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, { anyOf: [dropRequired(v), { type: 'null' }] }]),
      );
    } else if (key === 'additionalProperties' && value && typeof value === 'object') {
      out[key] = { anyOf: [dropRequired(value as JsonSchema), { type: 'null' }] };
    } else {
      out[key] = value;
    }
  }
  return out;
}
