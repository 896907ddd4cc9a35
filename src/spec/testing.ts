/** Helpers for tests that compile specs from text. */
import { compileSpec, type CompileResult } from './compile.js';
import { YamlSource } from './yaml-source.js';

export function compileText(text: string, file = 'wharf.yaml'): CompileResult {
  const parsed = YamlSource.parse(file, text);
  if (!parsed.source) {
    return { ok: false, issues: parsed.errors.map((e) => ({ file, line: e.pos?.line, col: e.pos?.col, path: '(syntax)', message: e.message })) };
  }
  return compileSpec(parsed.source);
}

/** Dedents a template literal so that YAML in tests can be indented with the code. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
