import { createRequire } from 'node:module';
import type { Document, LineCounter, Node } from 'yaml';
import type { Path } from './schema/schema.js';
import { parseFastYaml } from './yaml-fast.js';

export interface Position {
  line: number;
  col: number;
}

/** Where a path is written; `depth` is how many of its segments were found. */
export interface Location {
  pos: Position;
  exact: boolean;
  depth: number;
}

/** A spec document and a way to say where each of its paths came from. */
export interface SpecDocument {
  file: string;
  data: unknown;
  /** `file` and `path` are set when the path is written in another file, under another path. */
  locate(path: Path, at?: 'key' | 'value'): Location & { file?: string; path?: Path };
}

/** A parsed YAML (or JSON, which is YAML 1.2) file that can say where each path is written. */
export class YamlSource implements SpecDocument {
  private parsed: { doc: Document; lines: LineCounter } | undefined;

  private constructor(
    readonly file: string,
    private readonly text: string,
    readonly data: unknown,
    parsed?: { doc: Document; lines: LineCounter },
  ) {
    this.parsed = parsed;
  }

  /**
   * Parses `text`; syntax errors come back with their positions rather than as exceptions.
   * YAML 1.2 core schema (so `yes` stays a string), unique keys, and a bound on alias
   * expansion so that a "billion laughs" document cannot exhaust memory.
   *
   * Plain block YAML is read by the fast reader, without positions; they are worked out
   * (by the full parser) only when something asks where a path is, i.e. when the spec
   * has a problem to report. Everything else goes through the full parser at once.
   */
  static parse(file: string, text: string): { source?: YamlSource; errors: { message: string; pos?: Position }[] } {
    const fast = parseFastYaml(text);
    if (fast !== undefined) return { source: new YamlSource(file, text, fast), errors: [] };
    const parsed = parseFull(text);
    const { doc, lines } = parsed;
    const errors = doc.errors.map((e) => ({
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      pos: lines.linePos(e.pos[0]),
    }));
    if (errors.length) return { errors };
    try {
      const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
      return { source: new YamlSource(file, text, data, parsed), errors: [] };
    } catch (e) {
      return { errors: [{ message: e instanceof Error ? e.message : String(e) }] };
    }
  }

  /**
   * Where `path` is written: the key itself when `at` is "key", otherwise its value. When the
   * path is not in the file, the deepest part of it that is (so a missing key points at its
   * parent mapping), and `exact` is false.
   */
  locate(path: Path, at: 'key' | 'value' = 'value'): Location {
    this.parsed ??= parseFull(this.text);
    const { isMap, isSeq, isScalar } = yamlLibrary();
    let node: Node | null | undefined = this.parsed.doc.contents as Node | null;
    let pos = this.position(node) ?? { line: 1, col: 1 };
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return { pos, exact: false, depth: i };
        if (last && at === 'key') return { pos: this.position(pair.key as Node) ?? pos, exact: true, depth: i + 1 };
        node = pair.value as Node | null;
        pos = this.position(node) ?? this.position(pair.key as Node) ?? pos;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg] as Node;
        pos = this.position(node) ?? pos;
      } else {
        return { pos, exact: false, depth: i };
      }
    }
    return { pos, exact: true, depth: path.length };
  }

  private position(node: Node | null | undefined): Position | undefined {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.parsed!.lines.linePos(offset);
  }
}

/**
 * The full YAML library, loaded on first use: a spec in plain block YAML that has no
 * problems never needs it, and loading it is ~50 ms of every CLI command's start-up.
 * (Node resolves `yaml` to its CommonJS build for `import` too: this is the same instance.)
 */
let library: typeof import('yaml') | undefined;
function yamlLibrary(): typeof import('yaml') {
  return (library ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

function parseFull(text: string): { doc: Document; lines: LineCounter } {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: true, prettyErrors: false });
  return { doc, lines };
}
