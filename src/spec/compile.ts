import { DEFAULT_ENVIRONMENT } from '../defaults.js';
import { didYouMean } from '../_util/did-you-mean.js';
import { formatPath, type SpecIssue } from './issues.js';
import { mergePatch } from './merge.js';
import { resolveEnvironment, type ResolvedEnvironment } from './resolve.js';
import { checkRules } from './rules.js';
import { isMapping } from './schema/composite.js';
import { CheckMemo, INVALID, Issues, ROOT, type Issue, type Path } from './schema/schema.js';
import { NAME, OVERLAY_KEYS, specSchema, type Spec } from './wharf-schema.js';
import type { SpecDocument } from './yaml-source.js';

export interface CompiledApp {
  /** The base spec (no overlay), defaults filled. */
  spec: Spec;
  /** Every environment the spec declares (or the implicit default), resolved. */
  environments: Map<string, ResolvedEnvironment>;
}

export type CompileResult = { ok: true; app: CompiledApp } | { ok: false; issues: SpecIssue[] };

/**
 * Validates a spec document and resolves each of its environments. Pure: the same document
 * gives the same result, and every problem in it is reported at once, located in the file.
 */
export function compileSpec(doc: SpecDocument): CompileResult {
  const out = new IssueList(doc);
  const raw = doc.data;
  if (!isMapping(raw)) {
    out.add({ path: [], message: 'expected a mapping with "app" and "services"', hint: 'run `wharf init` for an annotated example' });
    return { ok: false, issues: out.list };
  }
  const { environments: rawEnvs, ...baseRaw } = raw;
  const memo = new CheckMemo();
  const baseIssues = new Issues(memo);
  const base = specSchema.check(baseRaw, ROOT, baseIssues);
  baseIssues.list.forEach((i) => out.add(i));

  const overlays = readOverlays(rawEnvs, out);
  const environments = new Map<string, ResolvedEnvironment>();
  for (const name of overlays.keys()) {
    const chain = overlayChain(name, overlays, out);
    if (!chain) continue;
    let merged: unknown = baseRaw;
    for (const link of [...chain].reverse()) merged = mergePatch(merged, overlays.get(link)!.body);
    const envIssues = new Issues(memo);
    const spec = specSchema.check(merged, ROOT, envIssues);
    envIssues.list.forEach((i) => out.add(i, chain));
    if (spec === INVALID) continue;
    const resolved = resolveEnvironment(spec, name, overlays.get(name)!.from);
    checkRules(resolved).forEach((i) => out.add(i, chain));
    environments.set(name, resolved);
  }
  checkHostsAcrossEnvironments(environments, out);
  if (base === INVALID || !out.empty) return { ok: false, issues: out.list };
  return { ok: true, app: { spec: base, environments } };
}

/** A host and path named explicitly in two environments would send one's traffic to the other. */
function checkHostsAcrossEnvironments(environments: Map<string, ResolvedEnvironment>, out: IssueList): void {
  const owners = new Map<string, string>();
  for (const env of environments.values()) {
    for (const svc of Object.values(env.services)) {
      svc.routes.forEach((route, i) => {
        if (route.implicit) return;
        const key = `${route.host}${route.path}`;
        const owner = owners.get(key);
        if (owner === undefined) owners.set(key, env.name);
        else if (owner !== env.name) {
          out.add(
            { path: ['services', svc.name, 'routes', i, 'host'], message: `${key} is also routed in environment ${owner}`, hint: 'give each environment its own host (overlays replace routes)' },
            [env.name],
          );
        }
      });
    }
  }
}

interface Overlay {
  from?: string | undefined;
  body: Record<string, unknown>;
}

function readOverlays(rawEnvs: unknown, out: IssueList): Map<string, Overlay> {
  const overlays = new Map<string, Overlay>();
  if (rawEnvs === undefined || rawEnvs === null) {
    overlays.set(DEFAULT_ENVIRONMENT, { body: {} });
    return overlays;
  }
  if (!isMapping(rawEnvs)) {
    out.add({ path: ['environments'], message: 'expected a mapping of environment names to overlays' });
    return overlays;
  }
  for (const [name, value] of Object.entries(rawEnvs)) {
    const at: Path = ['environments', name];
    if (!NAME.pattern.test(name)) {
      out.add({ path: at, message: `"${name}" is not ${NAME.expected}`, at: 'key' });
      continue;
    }
    if (value !== null && !isMapping(value)) {
      out.add({ path: at, message: 'expected a mapping (the overlay on the base spec)' });
      continue;
    }
    const { from, ...body } = value ?? {};
    for (const key of ['app', 'environments']) {
      if (key in body) out.add({ path: [...at, key], message: `an environment cannot set "${key}"`, at: 'key' });
    }
    if (from !== undefined && typeof from !== 'string') {
      out.add({ path: [...at, 'from'], message: 'expected the name of another environment' });
      continue;
    }
    overlays.set(name, { from, body });
  }
  for (const [name, overlay] of overlays) {
    if (overlay.from !== undefined && !overlays.has(overlay.from)) {
      const guess = didYouMean(overlay.from, overlays.keys());
      out.add({
        path: ['environments', name, 'from'],
        message: `no environment named "${overlay.from}"`,
        hint: guess ? `did you mean "${guess}"?` : `environments: ${[...overlays.keys()].join(', ')}`,
      });
    }
  }
  return overlays;
}

/** [name, its from, that one's from, …], or undefined (reported) on a cycle or a broken link. */
function overlayChain(name: string, overlays: Map<string, Overlay>, out: IssueList): string[] | undefined {
  const chain = [name];
  for (let cur = overlays.get(name); cur?.from !== undefined; cur = overlays.get(cur.from)) {
    if (!overlays.has(cur.from)) return undefined;
    if (chain.includes(cur.from)) {
      const cycle = [...chain.slice(chain.indexOf(cur.from)), cur.from].join(' → ');
      out.add({ path: ['environments', chain[chain.length - 1]!, 'from'], message: `environments inherit in a cycle: ${cycle}` });
      return undefined;
    }
    chain.push(cur.from);
  }
  return chain;
}

/** Issues located in the file; an issue found in several environments is reported once. */
class IssueList {
  readonly list: SpecIssue[] = [];
  private readonly seen = new Set<string>();
  private readonly declaresEnvironments: boolean;
  constructor(private readonly doc: SpecDocument) {
    this.declaresEnvironments = isMapping(doc.data) && isMapping(doc.data['environments']);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** `chain`: the environment (and those it inherits from) whose merged spec had the issue. */
  add(issue: Issue, chain?: string[]): void {
    const at = issue.at ?? 'value';
    // Prefer where the path is written in the environment's own overlay, then in those it
    // inherits from, then in the base; failing an exact match, the deepest partial one.
    const baseLoc = this.doc.locate(issue.path, at);
    let best = { path: issue.path, loc: baseLoc, depth: baseLoc.depth };
    if (!baseLoc.exact || issue.path[0] !== 'environments') {
      for (const env of chain ?? []) {
        const path = ['environments', env, ...issue.path];
        const loc = this.doc.locate(path, at);
        if (loc.exact || loc.depth - 2 > best.depth) best = { path, loc, depth: loc.depth - 2 };
        if (loc.exact) break;
      }
      if (baseLoc.exact && !best.loc.exact) best = { path: issue.path, loc: baseLoc, depth: baseLoc.depth };
    }
    const inOverlay = best.path[0] === 'environments' && issue.path[0] !== 'environments';
    const located: SpecIssue = {
      file: best.loc.file ?? this.doc.file,
      line: best.loc.pos.line,
      col: best.loc.pos.col,
      path: formatPath(best.loc.path ?? best.path),
      message: issue.message,
      ...(issue.hint ? { hint: issue.hint } : {}),
      ...(chain && !inOverlay && this.declaresEnvironments ? { environment: chain[0] } : {}),
    };
    const key = `${located.file}:${located.line}:${located.col}:${located.path}:${located.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(located);
  }
}

export { OVERLAY_KEYS };
