import { isMap, isPair, isScalar, isSeq, Document, type Node } from 'yaml';
import { ArraySchema, ObjectSchema, RecordSchema } from './schema/composite.js';
import type { Schema } from './schema/schema.js';
import { OVERLAY_KEYS, specSchema } from './wharf-schema.js';

/**
 * Renders a spec (as written in the file: durations as "2s") to YAML whose every key carries
 * the schema's documentation of that key as a comment. `wharf init` writes this; because the
 * comments come from the schema, the docs and the validation cannot drift apart.
 */
export function renderAnnotated(value: Record<string, unknown>, header: string[]): string {
  const doc = new Document(value);
  annotate(doc.contents as Node, specSchema);
  doc.commentBefore = header.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 100 });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function annotate(node: Node | null, schema: Schema<any, boolean> | undefined, seen = new Set<string>()): void {
  if (!node || !schema) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      let field: Schema<unknown, boolean> | undefined;
      let doc: string | undefined;
      if (schema instanceof ObjectSchema) {
        field = schema.fields[key];
        doc = field?.meta.doc;
      } else if (schema instanceof RecordSchema) {
        field = schema.values;
      }
      if (schema === specSchema && key === 'environments') {
        pair.key.commentBefore = ' Environments: overlays on everything above (mappings merge, null removes a key).';
        annotateEnvironments(pair.value as Node);
        continue;
      }
      // Document a key once per kind of place, so a long file is not all comments.
      const id = `${key}:${doc ?? ''}`;
      if (doc && !seen.has(id)) {
        pair.key.commentBefore = ` ${doc}`;
        seen.add(id);
      }
      annotate(pair.value as Node, field, seen);
    }
  } else if (isSeq(node) && schema instanceof ArraySchema) {
    for (const item of node.items) annotate(item as Node, schema.items, seen);
  }
}

function annotateEnvironments(node: Node | null): void {
  if (!isMap(node)) return;
  for (const env of node.items) {
    if (!isPair(env) || !isMap(env.value)) continue;
    for (const pair of env.value.items) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === 'from') pair.key.commentBefore = ` ${OVERLAY_KEYS.from}`;
    }
    annotate(env.value as Node, specSchema, new Set());
  }
}
