import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';
import { initSpec } from './init.js';
import { parseFastYaml } from './yaml-fast.js';
import { YamlSource } from './yaml-source.js';

/** What the full parser makes of `text` with the loader's options: its data, or "error". */
function fullParse(text: string): unknown {
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) return 'error';
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return 'error';
  }
}

/** How many inputs the fast reader answered: a property it never got to answer proves nothing. */
let answered = 0;

/** The property: where the fast reader answers, its answer is the full parser's. */
function agreesWithFullParser(text: string): void {
  const fast = parseFastYaml(text);
  if (fast === undefined) return;
  answered++;
  assert.deepStrictEqual(fast, fullParse(text), `the fast reader and the full parser disagree on:\n${text}`);
}

/** Runs a property and checks that the fast reader answered at least `share` of its inputs. */
function assertAgreement(inputs: fc.Arbitrary<string>, numRuns: number, share: number): void {
  answered = 0;
  fc.assert(fc.property(inputs, (text) => agreesWithFullParser(text)), { numRuns });
  assert.ok(answered >= numRuns * share, `the fast reader answered only ${answered} of ${numRuns} inputs`);
}

const EXAMPLE = initSpec({ folderName: 'shop', hasPackageLock: false }).text;

/** Scalars that mean something other than text to YAML, or nearly do, written every which way. */
const TRICKY = ['yes', 'no', 'on', 'null', 'Null', 'NULL', '~', 'true', 'False', 'TRUE', '0', '-0', '+1', '012', '007', '0o17', '0x1F', '0X1F', '1e3', '1E-3', '1.5', '.5', '5.', '.inf', '-.Inf', '.NaN', 'nan', '9007199254740993', '123456789012345678', '2s', '512Mi', '1Gi', 'a: b', 'a:b', 'a #b', 'a#b', "it's", 'say "hi"', 'x\\y', '', ' x', 'x ', '[a]', '{a: 1}', 'a, b', '@x', '`x`', '%x', '!x', '&x', '*x', '|', '>', '- x', '-x', '? x', ': x', '#x', '/', '/api', '__proto__', 'constructor'];
const scalarText = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 6 }), fc.stringMatching(/^[a-z0-9 :#'"\u00a0\u3000\u2028é-]{0,8}$/));
const written = fc.tuple(scalarText, fc.constantFrom('plain', 'single', 'double', 'comment')).map(([s, how]) =>
  how === 'single' ? `'${s}'` : how === 'double' ? `"${s}"` : how === 'comment' ? `${s} # note` : s,
);
const key = fc.oneof(fc.constantFrom('app', 'run', 'web', 'a', 'b', 'env', 'true', '1', 'a b', 'a.b', 'svc-1', '-a', '__proto__', 'x/y'), fc.stringMatching(/^[a-z0-9_.-]{1,5}$/));

/** Block YAML as people write it, built line by line with random indentation and structure. */
const blockYaml: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(fc.nat(6), fc.constantFrom('key-value', 'key', 'item', 'item-key-value', 'comment', 'blank'), key, written),
    { minLength: 1, maxLength: 25 },
  )
  .map((lines) =>
    lines
      .map(([indent, kind, k, v]) => {
        const pad = ' '.repeat(indent);
        switch (kind) {
          case 'key-value': return `${pad}${k}: ${v}`;
          case 'key': return `${pad}${k}:`;
          case 'item': return `${pad}- ${v}`;
          case 'item-key-value': return `${pad}- ${k}: ${v}`;
          case 'comment': return `${pad}# ${v}`;
          default: return pad;
        }
      })
      .join('\n'),
  );

/** A random tree of mappings, lists and scalars. */
type Tree = { map: [string, Tree][] } | { list: Tree[] } | { scalar: string };
const { tree } = fc.letrec<{ tree: Tree }>((t) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    written.map((scalar) => ({ scalar })),
    fc.array(fc.tuple(key, t('tree')), { maxLength: 4 }).map((map) => ({ map })),
    fc.array(t('tree'), { maxLength: 3 }).map((list) => ({ list })),
  ),
}));

/** The tree as block YAML, each level `step` spaces deeper, lists under a key indented or not. */
function emit(node: Tree, pad: string, step: string, indentLists: boolean): string[] {
  if ('scalar' in node) return [`${pad}${node.scalar}`];
  if ('list' in node) {
    return node.list.flatMap((item) => {
      const inner = emit(item, `${pad}${step}`, step, indentLists);
      if ('scalar' in item) return [`${pad}- ${item.scalar}`];
      if ('map' in item && inner.length) return [`${pad}-${' '.repeat(step.length - 1)}${inner[0]!.slice(pad.length + step.length)}`, ...inner.slice(1)];
      return [`${pad}-`, ...inner];
    });
  }
  return node.map.flatMap(([k, v]) => {
    if ('scalar' in v) return [`${pad}${k}: ${v.scalar}`];
    return [`${pad}${k}:`, ...emit(v, 'list' in v && !indentLists ? pad : `${pad}${step}`, step, indentLists)];
  });
}
const treeYaml = fc
  .tuple(fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 4 }), fc.boolean())
  .map(([map, step, indentLists]) => emit({ map }, '', ' '.repeat(step), indentLists).join('\n'));

const edit = fc.record({
  at: fc.nat(EXAMPLE.length),
  remove: fc.nat(8),
  insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(':', ': ', '- ', '  ', '\n', '\n  ', '\n- ', '#', ' #', '"', "'", '{', '[', '&a ', '*a', '!!str ', '|', '>', '---\n', '\t', '0x', '1e3', 'true')),
});

describe('the fast YAML reader', () => {
  it('reads the annotated example and a large generated spec exactly as the full parser does', () => {
    const services = Array.from({ length: 300 }, (_, i) => `  svc-${i}:\n    run: node s${i}.js # why not\n    routes:\n      - path: /\n        host: 'a${i}.example.com'\n    instances: ${i % 7}\n    size:\n      memory: 256Mi\n    env:\n      N: "${i}"\n`);
    const large = `app: shop\nservices:\n${services.join('')}environments:\n  production:\n  staging:\n    from: production\n`;
    for (const text of [EXAMPLE, large]) {
      const fast = parseFastYaml(text);
      assert.notEqual(fast, undefined, 'plain block YAML must take the fast path');
      assert.deepStrictEqual(fast, fullParse(text));
    }
  });

  it('leaves everything outside its subset to the full parser', () => {
    const outside = [
      'a: {b: 1}', 'a: [1, 2]', 'a: &x 1\nb: *x', 'a: !!str 1', 'a: |\n  text', 'a: >\n  text', 'a: b\n  c', 'a: "x\\ty"', 'a: "x\n  y"',
      'a: 1\na: 2', 'a:\tb', 'a: b\r\n', 'a: \u2028', 'a: \u0085', 'a: 😀', '\ufeffa: b', '---\na: b', 'a: b\n...\n', '%YAML 1.2\n---\na: b', '- a', 'a', '', '# only a comment',
      '"a": b', 'a b: c', '1: x', 'true: x', '__proto__: x', 'a:\n  - - x', 'a: {}x', 'a: [ ]', 'a: b: c', '? a\n: b',
    ];
    for (const text of outside) assert.equal(parseFastYaml(text), undefined, `expected the full parser for:\n${text}`);
  });

  it('agrees with the full parser on random block YAML', () => {
    assertAgreement(treeYaml, 4_000, 0.1);
    // Lines of random depth: mostly not YAML at all, which the reader must leave alone.
    assertAgreement(blockYaml, 4_000, 0.02);
  });

  it('agrees with the full parser on mutated example specs', () => {
    const mutated = fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
      let text = EXAMPLE;
      for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.remove);
      return text;
    });
    assertAgreement(mutated, 3_000, 0.2);
  });

  it('agrees with the full parser on any JSON value written as YAML', () => {
    const plainKeyed = fc.object({ key: fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.-]{0,6}$/), maxDepth: 3, values: [fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)] });
    assertAgreement(plainKeyed.map((value) => stringify(value)), 2_000, 0.3);
    assertAgreement(fc.jsonValue().map((value) => stringify(value)), 2_000, 0);
  });

  it('locates paths in a fast-read spec by parsing it in full when asked', () => {
    const parsed = YamlSource.parse('wharf.yaml', 'app: shop\nservices:\n  web:\n    run: node server.js\n    instances: many\n');
    assert.deepEqual(parsed.source?.locate(['services', 'web', 'instances']), { pos: { line: 5, col: 16 }, exact: true, depth: 3 });
    assert.deepEqual(parsed.source?.locate(['services', 'web', 'health']), { pos: { line: 4, col: 5 }, exact: false, depth: 2 });
  });
});
