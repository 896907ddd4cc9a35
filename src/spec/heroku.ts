/**
 * Heroku compatibility: a Procfile (and optionally app.json) read as the equivalent spec, so
 * a Heroku app moves to Wharf unchanged. Formats: Heroku Dev Center "The Procfile" and
 * "app.json Schema". Pure: the caller reads the files.
 */
import type { SpecIssue } from './issues.js';
import { isMapping } from './schema/composite.js';
import type { Path } from './schema/schema.js';
import { YamlSource, type Location, type SpecDocument } from './yaml-source.js';

export interface HerokuFiles {
  /** Folder name, the app's name when app.json has none. */
  folderName: string;
  procfile: string;
  appJson?: string | undefined;
  packageJson?: string | undefined;
  hasPackageLock?: boolean;
}

export interface Converted {
  doc: SpecDocument;
  /** Things Heroku does that Wharf does differently, for the user to read. */
  notes: string[];
  issues: SpecIssue[];
}

/** Dyno memory per Heroku dyno type (Dev Center, "Dyno Types"). */
const DYNO_MEMORY: Record<string, string> = {
  free: '512Mi', eco: '512Mi', hobby: '512Mi', basic: '512Mi', 'standard-1x': '512Mi',
  'standard-2x': '1Gi', 'performance-m': '2560Mi', 'performance-l': '14Gi',
  'performance-l-ram': '30Gi', 'performance-xl': '62Gi', 'performance-2xl': '126Gi',
  'private-s': '1Gi', 'private-m': '2560Mi', 'private-l': '14Gi',
  'shield-s': '1Gi', 'shield-m': '2560Mi', 'shield-l': '14Gi',
};

const PROCESS_LINE = /^([A-Za-z0-9_-]+):[ \t]*(.*)$/;

export function toLabel(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
}

export function convertHeroku(files: HerokuFiles): Converted {
  const notes: string[] = [];
  const issues: SpecIssue[] = [];
  const where = new Map<string, { file: string; line: number; col: number }>();
  const services: Record<string, Record<string, unknown>> = {};
  let release: string | undefined;

  files.procfile.split(/\r?\n/).forEach((text, i) => {
    const line = i + 1;
    if (/^\s*(#|$)/.test(text)) return;
    const m = PROCESS_LINE.exec(text);
    if (!m || !m[2]!.trim()) {
      issues.push({ file: 'Procfile', line, col: 1, path: `line ${line}`, message: 'expected "process-type: command"', hint: 'e.g. "web: npm start"' });
      return;
    }
    const [, type, command] = m as unknown as [string, string, string];
    if (type === 'release') {
      release = command.trim();
      where.set('release', { file: 'Procfile', line, col: 1 });
      return;
    }
    const name = toLabel(type);
    if (!name || services[name]) {
      const message = name ? `process type "${type}" is declared twice (as "${name}")` : `process type "${type}" has no usable name`;
      issues.push({ file: 'Procfile', line, col: 1, path: type, message });
      return;
    }
    services[name] = { run: command.trim(), ...(name === 'web' ? { routes: [{ path: '/' }] } : {}) };
    where.set(`services.${name}`, { file: 'Procfile', line, col: 1 });
  });

  const build = nodeBuildCommand(files.packageJson, files.hasPackageLock ?? false);
  if (build) for (const svc of Object.values(services)) svc['build'] = build;

  const spec: Record<string, unknown> = { app: toLabel(files.folderName) || 'app', services };
  if (release !== undefined) spec['release'] = release;

  let appSource: YamlSource | undefined;
  if (files.appJson !== undefined) {
    const parsed = YamlSource.parse('app.json', files.appJson);
    if (!parsed.source) {
      for (const e of parsed.errors) issues.push({ file: 'app.json', line: e.pos?.line, col: e.pos?.col, path: '(top level)', message: e.message });
    } else if (!isMapping(parsed.source.data)) {
      issues.push({ file: 'app.json', line: 1, col: 1, path: '(top level)', message: 'expected a JSON object' });
    } else {
      appSource = parsed.source;
      readAppJson(parsed.source.data, spec, services, notes);
    }
  }

  const doc: SpecDocument = {
    file: 'Procfile',
    data: spec,
    locate(path: Path, at = 'value'): Location & { file?: string; path?: Path } {
      const appJsonPath = appJsonPathOf(path);
      if (appSource && appJsonPath) {
        const loc = appSource.locate(appJsonPath, at);
        if (loc.exact) return { ...loc, depth: path.length, file: 'app.json', path: appJsonPath };
      }
      for (let n = Math.min(path.length, 2); n > 0; n--) {
        const hit = where.get(path.slice(0, n).join('.'));
        if (hit) return { pos: { line: hit.line, col: hit.col }, exact: n === path.length, depth: n, file: hit.file };
      }
      return { pos: { line: 1, col: 1 }, exact: false, depth: 0, file: 'Procfile' };
    },
  };
  return { doc, notes, issues };
}

/** Where in app.json a spec path came from, for the paths that app.json sets. */
function appJsonPathOf(path: Path): Path | undefined {
  if (path[0] === 'app') return ['name'];
  if (path[0] === 'env' && path.length > 1) return ['env', path[1]!];
  if (path[0] === 'services' && path[2] === 'instances') return ['formation', path[1]!, 'quantity'];
  if (path[0] === 'services' && path[2] === 'size') return ['formation', path[1]!, 'size'];
  if (path[0] === 'pipeline') return ['environments', 'test', 'scripts', 'test'];
  return undefined;
}

function readAppJson(app: Record<string, unknown>, spec: Record<string, unknown>, services: Record<string, Record<string, unknown>>, notes: string[]): void {
  if (typeof app['name'] === 'string' && toLabel(app['name'])) spec['app'] = toLabel(app['name']);
  if (isMapping(app['env'])) {
    const env: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(app['env'])) {
      const entry = isMapping(value) ? value : { value };
      if (entry['value'] !== undefined && entry['generator'] === undefined) env[key] = entry['value'];
      else if (entry['generator'] === 'secret') notes.push(`app.json generates ${key}: set it with \`wharf config set ${key}=<random> --secret\``);
      else if (entry['required'] !== false) notes.push(`app.json requires ${key}: set it with \`wharf config set ${key}=…\``);
    }
    if (Object.keys(env).length) spec['env'] = env;
  }
  if (isMapping(app['formation'])) {
    for (const [type, value] of Object.entries(app['formation'])) {
      const svc = services[toLabel(type)];
      if (!svc || !isMapping(value)) {
        notes.push(`app.json formation names "${type}", which the Procfile does not declare; ignored`);
        continue;
      }
      if (value['quantity'] !== undefined) svc['instances'] = value['quantity'];
      const memory = typeof value['size'] === 'string' ? DYNO_MEMORY[value['size'].toLowerCase()] : undefined;
      if (memory) svc['size'] = { memory };
      else if (value['size'] !== undefined) notes.push(`dyno size ${JSON.stringify(value['size'])} of "${type}" is unknown; size not set`);
    }
  }
  const addons = Array.isArray(app['addons']) ? app['addons'] : [];
  const out: Record<string, unknown> = {};
  for (const addon of addons) {
    const plan = typeof addon === 'string' ? addon : isMapping(addon) && typeof addon['plan'] === 'string' ? addon['plan'] : undefined;
    const as = isMapping(addon) && typeof addon['as'] === 'string' ? addon['as'] : undefined;
    const options = isMapping(addon) && isMapping(addon['options']) ? addon['options'] : {};
    const service = plan?.split(':')[0];
    const type = service === 'heroku-postgresql' ? 'postgres' : service === 'heroku-redis' ? 'redis' : undefined;
    if (!type) {
      notes.push(`add-on ${JSON.stringify(plan ?? addon)} has no Wharf equivalent; skipped`);
      continue;
    }
    const name = toLabel(as ?? (type === 'postgres' ? 'database' : 'redis'));
    out[name] = { type, ...(typeof options['version'] === 'string' ? { version: options['version'] } : {}) };
  }
  if (Object.keys(out).length) spec['addons'] = out;
  const scripts = isMapping(app['scripts']) ? app['scripts'] : {};
  for (const script of Object.keys(scripts)) notes.push(`app.json script "${script}" is not run by Wharf (use the spec's release command)`);
  const envs = isMapping(app['environments']) ? app['environments'] : {};
  const testEnv = isMapping(envs['test']) ? envs['test'] : {};
  const testScripts = isMapping(testEnv['scripts']) ? testEnv['scripts'] : {};
  if (typeof testScripts['test'] === 'string') spec['pipeline'] = { test: testScripts['test'] };
}

/**
 * What Heroku's Node.js buildpack runs: install (`npm ci` with a lockfile), then the
 * `heroku-postbuild` script if there is one, otherwise `build`.
 */
export function nodeBuildCommand(packageJson: string | undefined, hasLock: boolean): string | undefined {
  if (packageJson === undefined) return undefined;
  let scripts: Record<string, unknown> = {};
  try {
    const pkg = JSON.parse(packageJson) as unknown;
    if (isMapping(pkg) && isMapping(pkg['scripts'])) scripts = pkg['scripts'];
  } catch {
    // An unreadable package.json still gets installed; npm reports its own error at build time.
  }
  const install = hasLock ? 'npm ci' : 'npm install';
  const step = scripts['heroku-postbuild'] ? 'npm run heroku-postbuild' : scripts['build'] ? 'npm run build' : undefined;
  return step ? `${install} && ${step}` : install;
}
