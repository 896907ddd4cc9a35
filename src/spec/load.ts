import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_ENVIRONMENT } from '../defaults.js';
import { WharfError } from '../errors.js';
import { compileSpec, type CompiledApp } from './compile.js';
import { convertHeroku } from './heroku.js';
import { specInvalid, type SpecIssue } from './issues.js';
import type { ResolvedEnvironment } from './resolve.js';
import { YamlSource, type SpecDocument } from './yaml-source.js';

export const SPEC_FILE = 'wharf.yaml';

/** An app folder read and validated: its spec and every environment resolved. */
export interface LoadedApp extends CompiledApp {
  dir: string;
  /** The file the spec came from: `wharf.yaml`, or `Procfile` for a Heroku app. */
  file: string;
  notes: string[];
}

/** Reads the spec of the app in `dir`; throws SPEC_NOT_FOUND or SPEC_INVALID (every problem at once). */
export function loadApp(dir: string): LoadedApp {
  const abs = appFolder(dir);
  const { doc, notes, issues, file } = readSpecDocument(abs);
  return compileDocument(abs, file, doc, notes, issues);
}

/** The absolute path of an app folder, or SPEC_NOT_FOUND. */
export function appFolder(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new WharfError('SPEC_NOT_FOUND', `${dir} is not a folder`, { hint: 'pass the app folder with --dir' });
  }
  return abs;
}

/** The app whose wharf.yaml in folder `abs` reads `text`. */
export function loadSpecText(abs: string, text: string): LoadedApp {
  return compileDocument(abs, SPEC_FILE, parseSpecText(text), [], []);
}

function compileDocument(abs: string, file: string, doc: SpecDocument, notes: string[], issues: SpecIssue[]): LoadedApp {
  const compiled = compileSpec(doc);
  const all: SpecIssue[] = [...issues, ...(compiled.ok ? [] : compiled.issues)];
  if (all.length || !compiled.ok) throw specInvalid(file, all);
  return { ...compiled.app, dir: abs, file, notes };
}

function parseSpecText(text: string): SpecDocument {
  const parsed = YamlSource.parse(SPEC_FILE, text);
  if (!parsed.source) {
    const issues = parsed.errors.map((e) => ({ file: SPEC_FILE, line: e.pos?.line, col: e.pos?.col, path: '(syntax)', message: e.message }));
    throw specInvalid(SPEC_FILE, issues);
  }
  return parsed.source;
}

export function readSpecDocument(dir: string): { doc: SpecDocument; notes: string[]; issues: SpecIssue[]; file: string } {
  const specPath = join(dir, SPEC_FILE);
  if (existsSync(specPath)) {
    return { doc: parseSpecText(readFileSync(specPath, 'utf8')), notes: [], issues: [], file: SPEC_FILE };
  }
  const procfile = join(dir, 'Procfile');
  if (existsSync(procfile)) {
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
    const converted = convertHeroku({
      folderName: basename(dir),
      procfile: readFileSync(procfile, 'utf8'),
      appJson: read('app.json'),
      packageJson: read('package.json'),
      hasPackageLock: existsSync(join(dir, 'package-lock.json')),
    });
    return { ...converted, file: 'Procfile' };
  }
  throw new WharfError('SPEC_NOT_FOUND', `no ${SPEC_FILE} or Procfile in ${dir}`, {
    hint: 'run `wharf init` there to write an annotated wharf.yaml',
  });
}

/** The named environment of a loaded app, or ENV_NOT_FOUND naming those that exist. */
export function environmentOf(app: LoadedApp, name: string): ResolvedEnvironment {
  const env = app.environments.get(name);
  if (!env) {
    throw new WharfError('ENV_NOT_FOUND', `environment "${name}" is not declared in ${app.file}`, {
      hint: `declared: ${[...app.environments.keys()].join(', ')}`,
    });
  }
  return env;
}

/**
 * The environment a command means: the one named, else the only one declared, else the
 * default (`production`) if declared.
 */
export function pickEnvironment(app: LoadedApp, name: string | undefined): ResolvedEnvironment {
  if (name !== undefined) return environmentOf(app, name);
  if (app.environments.size === 1) return [...app.environments.values()][0]!;
  const fallback = app.environments.get(DEFAULT_ENVIRONMENT);
  if (fallback) return fallback;
  throw new WharfError('USAGE', 'which environment? this app declares several', {
    hint: `pass -e with one of: ${[...app.environments.keys()].join(', ')}`,
  });
}
