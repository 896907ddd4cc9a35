import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { WharfError } from '../errors.js';
import { compileSpec } from './compile.js';
import { convertHeroku } from './heroku.js';
import { initSpec, EXAMPLE_SPEC } from './init.js';
import { specInvalid } from './issues.js';
import { YamlSource } from './yaml-source.js';

/** What loadApp does with a wharf.yaml's text, minus the file system. */
function load(text: string): void {
  const parsed = YamlSource.parse('wharf.yaml', text);
  if (!parsed.source) throw specInvalid('wharf.yaml', parsed.errors.map((e) => ({ file: 'wharf.yaml', path: '(syntax)', message: e.message })));
  const result = compileSpec(parsed.source);
  if (!result.ok) throw specInvalid('wharf.yaml', result.issues);
}

/** The property: the loader accepts the input or refuses it with located issues — nothing else. */
function acceptsOrExplains(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (e) {
    if (!(e instanceof WharfError) || e.code !== 'SPEC_INVALID') throw e;
    const issues = (e.details as { issues: { message: string }[] }).issues;
    return issues.length > 0 && issues.every((i) => typeof i.message === 'string' && i.message.length > 0);
  }
}

const VALID = initSpec({ folderName: 'shop', hasPackageLock: false }).text;

/** Text edits: delete, insert or replace a run of characters (YAML's syntax characters favoured). */
const edit = fc.record({
  at: fc.nat(VALID.length),
  remove: fc.nat(8),
  insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(':', '- ', '{', '}', '[', ']', '"', "'", '\n  ', '&a ', '*a', '!!', '#', '\t', '\0', '? ', '|', '>')),
});

/** Paths into the example spec, and junk to put there. */
const junk = fc.oneof(fc.jsonValue(), fc.constantFrom(null, '', '2', '-1s', '1e999', 'NaN', '*.', '/', [], {}, { from: 'nowhere' }));

function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : typeof value === "object" && value !== null ? { ...value } : {}) as Record<string | number, unknown>;
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), replacement);
  return copy;
}

function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}
const PATHS = pathsOf(EXAMPLE_SPEC);

describe('the spec loader under fuzzing', () => {
  it('accepts the unmutated example', () => {
    load(VALID);
  });

  it('keeps keys named like Object.prototype members as plain keys', () => {
    const parsed = YamlSource.parse('wharf.yaml', 'app: x\nenv: { __proto__: a, constructor: b }\nservices: { web: { run: r } }\nenvironments: { production: { env: { __proto__: c } } }\n');
    const result = compileSpec(parsed.source!);
    assert.ok(result.ok);
    assert.deepEqual(Object.entries(result.app.environments.get('production')!.services['web']!.env), [['__proto__', 'c'], ['constructor', 'b']]);
  });

  it('never fails with anything but a validation error on mutated text', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = VALID;
        for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.remove);
        return acceptsOrExplains(() => load(text));
      }),
      { numRuns: 1_500 },
    );
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const parsed = YamlSource.parse('wharf.yaml', lines.join('\n'));
    assert.equal(parsed.source, undefined);
    assert.match(parsed.errors[0]!.message, /alias/i);
  });

  it('never fails with anything but a validation error on mutated structure', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), junk, fc.constantFrom(...PATHS), junk, (p1, j1, p2, j2) => {
        const mutated = setAt(setAt(EXAMPLE_SPEC, p1, j1), p2, j2);
        return acceptsOrExplains(() => load(stringify(mutated)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('never fails with anything but a validation error on random documents', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => stringify(v))), (text) => acceptsOrExplains(() => load(text))),
      { numRuns: 1_500 },
    );
  });

  it('never fails with anything but a validation error on random Procfiles and app.json', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue().map((v) => JSON.stringify(v)))), (procfile, appJson) =>
        acceptsOrExplains(() => {
          const converted = convertHeroku({ folderName: 'x', procfile, appJson: appJson ?? undefined });
          const result = compileSpec(converted.doc);
          const issues = [...converted.issues, ...(result.ok ? [] : result.issues)];
          if (issues.length) throw specInvalid('Procfile', issues);
        }),
      ),
      { numRuns: 1_000 },
    );
  });
});
