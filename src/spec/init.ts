import { convertHeroku, nodeBuildCommand, toLabel } from './heroku.js';
import { renderAnnotated } from './example.js';

/** The example `wharf init` writes into a folder with nothing to convert; a test validates it. */
export const EXAMPLE_SPEC = {
  app: 'shop',
  env: { NODE_ENV: 'production' },
  services: {
    web: {
      build: 'npm ci',
      run: 'node server.js',
      routes: [{ path: '/' }],
      health: { path: '/healthz', interval: '1s', timeout: '2s', healthy_threshold: 2, unhealthy_threshold: 3 },
      instances: 2,
      autoscale: { min: 2, max: 10, targets: { requests_per_minute_per_instance: 600, cpu_percent: 70 } },
      size: { cpu: 0.5, memory: '512Mi' },
      deploy: {
        strategy: 'canary',
        timeout: '60s',
        drain_timeout: '30s',
        canary: { steps: [5, 25, 50, 100], hold: '30s', min_requests: 50, on_low_traffic: 'hold' },
      },
      env: { LOG_LEVEL: 'info' },
    },
    worker: { run: 'node worker.js', instances: 1, size: { memory: '256Mi' } },
  },
  addons: { db: { type: 'postgres' }, cache: { type: 'redis' } },
  pipeline: { check: 'npm run lint', test: 'npm test' },
  release: 'node migrate.js',
  environments: {
    production: {
      services: { web: { routes: [{ host: 'shop.example.com', https_redirect: true }], instances: 4, autoscale: { min: 4, max: 20 } } },
    },
    staging: {
      from: 'production',
      services: { web: { routes: [{ path: '/' }], instances: 1, autoscale: null } },
    },
  },
};

export interface InitFiles {
  folderName: string;
  procfile?: string | undefined;
  appJson?: string | undefined;
  packageJson?: string | undefined;
  hasPackageLock: boolean;
}

/**
 * The wharf.yaml for a folder: the equivalent of its Procfile (+ app.json), or a web service
 * for a Node project, or the annotated example. Returns the text and notes for the user.
 */
export function initSpec(files: InitFiles): { text: string; source: string; notes: string[] } {
  const header = ['wharf.yaml — the spec of this app. `wharf schema` prints its JSON Schema.', 'Check it with `wharf validate`, see the change with `wharf plan`, make it with `wharf apply`.'];
  const procfile = files.procfile ?? (files.packageJson !== undefined ? 'web: npm start\n' : undefined);
  if (procfile === undefined) {
    return { text: renderAnnotated(EXAMPLE_SPEC, header), source: 'example', notes: ['wrote the annotated example: edit it for your app'] };
  }
  const converted = convertHeroku({ ...files, procfile });
  const spec = converted.doc.data as { services: Record<string, Record<string, unknown>> };
  const notes = [...converted.notes];
  const web = spec.services['web'];
  if (web) {
    // Heroku apps rarely have a health endpoint; "/" answering 2xx/3xx is the closest gate.
    web['health'] = { path: '/' };
    notes.push('the web health check requests GET / — point services.web.health.path at a dedicated endpoint');
  }
  if (converted.issues.length) notes.push(...converted.issues.map((i) => `${i.file}:${i.line ?? 1} ${i.message} (skipped)`));
  const source = files.procfile !== undefined ? 'Procfile' : 'package.json';
  return { text: renderAnnotated(spec as Record<string, unknown>, [...header, `Converted from ${source} by \`wharf init\`.`]), source, notes };
}

export { nodeBuildCommand, toLabel };
