import { WharfError } from '../../errors.js';
import type { Handler, HttpMethod, Route } from './context.js';

/**
 * Maps method + path to a handler. Deciding only: `match` returns data, the dispatcher
 * acts on it. Patterns are `/`-separated segments, each a literal or a `:name` parameter;
 * a literal segment wins over a parameter at the same place (`/apps/new` before
 * `/apps/:app`), whatever the order the routes were added in.
 *
 * A path that matches a pattern under another method is a 405 with an `Allow` list
 * (RFC 9110 §15.5.6), not a 404; HEAD is answered by the GET handler (RFC 9110 §9.3.2).
 */

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string>; pattern: string }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface Node {
  literals: Map<string, Node>;
  param?: { name: string; node: Node };
  handlers: Map<string, { handler: Handler; pattern: string }>;
}

function newNode(): Node {
  return { literals: new Map(), handlers: new Map() };
}

export class Router {
  private readonly root = newNode();

  constructor(routes: readonly Route[] = []) {
    for (const r of routes) this.add(r.method, r.path, r.handler);
  }

  add(method: HttpMethod, pattern: string, handler: Handler): this {
    let node = this.root;
    for (const segment of splitPattern(pattern)) {
      if (segment.startsWith(':')) {
        const name = segment.slice(1);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw badPattern(pattern, `"${segment}" is not a parameter name`);
        node.param ??= { name, node: newNode() };
        if (node.param.name !== name) {
          throw badPattern(pattern, `":${name}" conflicts with ":${node.param.name}" at the same place`);
        }
        node = node.param.node;
      } else {
        let next = node.literals.get(segment);
        if (next === undefined) node.literals.set(segment, (next = newNode()));
        node = next;
      }
    }
    if (node.handlers.has(method)) throw badPattern(pattern, `${method} is already routed`);
    node.handlers.set(method, { handler, pattern });
    return this;
  }

  /** `path` is the raw request path without the query; segments are percent-decoded here. */
  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    const params: Record<string, string> = {};
    const node = find(this.root, segments, 0, params);
    if (node === undefined) return { kind: 'not-found' };
    const entry = node.handlers.get(method) ?? (method === 'HEAD' ? node.handlers.get('GET') : undefined);
    if (entry === undefined) {
      const allow = [...node.handlers.keys()];
      if (allow.includes('GET')) allow.push('HEAD');
      return { kind: 'method-not-allowed', allow: allow.sort() };
    }
    return { kind: 'found', handler: entry.handler, params, pattern: entry.pattern };
  }
}

/** Depth-first, literals before the parameter, so a literal dead end falls back to `:name`. */
function find(node: Node, segments: string[], i: number, params: Record<string, string>): Node | undefined {
  if (i === segments.length) return node.handlers.size > 0 ? node : undefined;
  const segment = segments[i] as string;
  const literal = node.literals.get(segment);
  if (literal !== undefined) {
    const found = find(literal, segments, i + 1, params);
    if (found !== undefined) return found;
  }
  if (node.param !== undefined && segment !== '') {
    const found = find(node.param.node, segments, i + 1, params);
    if (found !== undefined) {
      params[node.param.name] = segment;
      return found;
    }
  }
  return undefined;
}

function splitPattern(pattern: string): string[] {
  if (!pattern.startsWith('/')) throw badPattern(pattern, 'it must start with "/"');
  return pattern === '/' ? [] : pattern.slice(1).split('/');
}

/** A trailing slash is ignored; a malformed percent-escape is the client's error (400). */
function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/' || trimmed === '') return [];
  return trimmed
    .slice(1)
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new WharfError('BAD_REQUEST', `malformed percent-encoding in the path segment "${s}"`);
      }
    });
}

function badPattern(pattern: string, why: string): Error {
  return new Error(`route pattern "${pattern}": ${why}`);
}
