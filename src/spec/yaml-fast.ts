/**
 * A fast reader for the plain block YAML that specs are almost always written in: nested
 * mappings, `- ` lists, plain, 'single' and simple "double" quoted scalars, empty `{}` and
 * `[]`, comments. It builds plain data only — no nodes, no positions — which makes it ~15×
 * faster than the full parser on a large spec. Anything outside that subset (other flow collections, anchors,
 * tags, block scalars, multi-line scalars, escapes, tabs, line breaks other than \n,
 * quoted or odd keys, duplicate keys, …) returns undefined, and the caller uses the
 * full parser, which also gives every position and every syntax error. So this reader only
 * ever answers where its answer is the full parser's (YAML 1.2 core schema); a
 * differential property test holds it to that.
 */

/** The data of `text`, or undefined when it is not in the subset this reader knows. */
export function parseFastYaml(text: string): Record<string, unknown> | undefined {
  if (UNSAFE_CHARS.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    // Spaces only: String#trim would also take Unicode spaces, which YAML keeps as text.
    const content = raw.replace(LEADING_SPACES, '');
    if (content === '' || content.startsWith('#')) continue;
    // Document markers and directives: more than one document, or a %YAML header.
    if (raw.startsWith('---') || raw.startsWith('...') || raw.startsWith('%')) return undefined;
    lines.push({ indent: raw.length - content.length, content: content.replace(TRAILING_SPACES, '') });
  }
  if (lines.length === 0 || isItem(lines[0]!.content)) return undefined;
  const reader = new Reader(lines);
  const root = reader.mapping(lines[0]!.indent);
  return root !== undefined && reader.at === lines.length ? root : undefined;
}

interface Line {
  indent: number;
  content: string;
}

/**
 * Tabs, carriage returns, control characters, C1 and Unicode line breaks, the byte-order
 * mark and astral characters: left to the full parser.
 */
const UNSAFE_CHARS = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
const LEADING_SPACES = /^ +/;
const COMMENT_ITEM = /^- +#/;
const TRAILING_SPACES = / +$/;
/** `key:` then a space or the end of the line; the key one plain word (judged by the core schema). */
const KEY = /^(-?[A-Za-z0-9_./][A-Za-z0-9_./-]*):(?: +|$)/;
/**
 * Characters that give a plain scalar another meaning when they start it; `-`, `?` and `:`
 * only when a space or the end follows (`-1`, `-x` are plain scalars).
 */
const INDICATOR_START = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?: |$))/;
/**
 * How the YAML 1.2 core schema reads a plain scalar other than as a string: its null,
 * bool, int (octal, decimal, hex) and float (inf/nan, exponent, decimal) tags, in its
 * order, each resolved with the very call the full parser makes.
 */
const CORE_TAGS: [RegExp, (s: string) => unknown][] = [
  [/^(?:~|[Nn]ull|NULL)$/, () => null],
  [/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'],
  [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
  [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
  [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
  [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
];
/** A cheap first look: only scalars starting like this can be anything but a string. */
const MAYBE_NOT_TEXT = /^[-+.0-9~nNtTfF]/;

function coreValue(text: string): unknown {
  if (!MAYBE_NOT_TEXT.test(text)) return text;
  for (const [test, resolve] of CORE_TAGS) if (test.test(text)) return resolve(text);
  return text;
}

/** `{}` and `[]`, the empty mapping and list, are the only flow collections read here. */
const EMPTY_FLOW = /^(?:\{\}|\[\])(?: +#.*)?$/;

/** A value read, or undefined for "not in the subset" (YAML data never holds undefined). */
type Parsed = unknown;

class Reader {
  at = 0;
  constructor(private readonly lines: Line[]) {}

  /** A block mapping whose keys are all at `indent`; undefined when outside the subset. */
  mapping(indent: number, first?: string): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    let content = first;
    for (;;) {
      if (content === undefined) {
        const line = this.lines[this.at];
        if (!line || line.indent < indent) return out;
        if (line.indent > indent || isItem(line.content)) return undefined;
        content = line.content;
      }
      this.at++;
      const m = KEY.exec(content);
      if (!m) return undefined;
      const key = m[1]!;
      // A key the core schema reads as null or a bool would be stringified back; leave it.
      if (key === '__proto__' || typeof coreValue(key) !== 'string' || Object.hasOwn(out, key)) return undefined;
      const rest = content.slice(m[0].length);
      const value = rest === '' || rest.startsWith('#') ? this.nested(indent) : this.inlineScalar(rest, indent);
      if (value === undefined) return undefined;
      out[key] = value;
      content = undefined;
    }
  }

  /** The value of `key:` with nothing after it: a deeper block, a list at the key's indent, or null. */
  private nested(indent: number): Parsed {
    const next = this.lines[this.at];
    if (next && next.indent === indent && isItem(next.content)) return this.sequence(indent);
    return this.below(indent);
  }

  /** The block on the lines after a key or `-` at `indent` with nothing after it, or null. */
  private below(indent: number): Parsed {
    const next = this.lines[this.at];
    if (!next || next.indent <= indent) return null;
    return isItem(next.content) ? this.sequence(next.indent) : this.mapping(next.indent);
  }

  /** A block sequence whose `- ` marks are all at `indent`. */
  private sequence(indent: number): unknown[] | undefined {
    const out: unknown[] = [];
    for (;;) {
      const line = this.lines[this.at];
      if (!line || line.indent < indent || (line.indent === indent && !isItem(line.content))) return out;
      if (line.indent > indent) return undefined;
      let value: Parsed;
      if (line.content === '-' || COMMENT_ITEM.test(line.content)) {
        this.at++;
        value = this.below(indent);
      } else {
        const item = line.content.slice(2).replace(LEADING_SPACES, '');
        const column = indent + line.content.length - item.length;
        if (KEY.test(item)) value = this.mapping(column, item);
        else {
          this.at++;
          value = this.inlineScalar(item, indent);
        }
      }
      if (value === undefined) return undefined;
      out.push(value);
    }
  }

  /**
   * A scalar written after `key: ` or `- ` in a block at `indent`; a deeper line after it
   * would continue a multi-line scalar (or be an error), which the full parser judges.
   */
  private inlineScalar(text: string, indent: number): Parsed {
    const next = this.lines[this.at];
    if (next && next.indent > indent) return undefined;
    if (text.startsWith("'")) return singleQuoted(text);
    if (EMPTY_FLOW.test(text)) return text.startsWith('{') ? {} : [];
    if (text.startsWith('"')) return doubleQuoted(text);
    return plain(text);
  }
}

/** A `- ` list item (`-x` is a plain scalar). */
function isItem(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

function plain(text: string): Parsed {
  if (INDICATOR_START.test(text)) return undefined;
  const hash = text.indexOf(' #');
  const value = (hash === -1 ? text : text.slice(0, hash)).replace(TRAILING_SPACES, '');
  if (value.includes(': ') || value.endsWith(':')) return undefined;
  return coreValue(value);
}

/** 'text', where '' is one quote. */
function singleQuoted(text: string): Parsed {
  const m = /^'((?:[^']|'')*)'(?: +#.*)?$/.exec(text);
  return m ? m[1]!.replaceAll("''", "'") : undefined;
}

/** "text" without escapes. */
function doubleQuoted(text: string): Parsed {
  const m = /^"([^"\\]*)"(?: +#.*)?$/.exec(text);
  return m ? m[1]! : undefined;
}
