import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Builder } from '../build/builder.js';
import type { OutputLine } from '../build/build-log.js';
import { WharfError } from '../errors.js';
import type { OneOffOptions, OneOffSpec } from '../runtime/index.js';
import type { ResolvedEnvironment } from '../spec/resolve.js';
import type { Store } from '../state/store.js';
import type { ReleaseRecord } from '../state/types.js';
import { releaseName, snapshotOf, type ConfigVars, type ReleaseSnapshot } from './release-snapshot.js';

export interface ReleaserDeps {
  store: Store;
  builder: Builder;
  /** Runs a one-off process to completion (runtime/one-off.ts). */
  runOneOff: (spec: OneOffSpec, options: OneOffOptions) => Promise<number>;
  /** Where release command output is kept. */
  releasesDir: string;
  now: () => number;
  /** The decrypted config of a version, for the release command's environment. @default none */
  configVars?: ConfigVars | undefined;
}

export interface EnsureRequest {
  environment: ResolvedEnvironment;
  /** The app folder to build from. */
  dir: string;
  includeUncommitted?: boolean | undefined;
  onOutput?: ((line: OutputLine) => void) | undefined;
}

/** How many lines of a failed release command the error shows. */
const TAIL_LINES = 20;

/**
 * Makes releases: builds the app (cached by source), freezes the environment's spec with
 * the builds into a numbered, immutable release, and runs the release command once before
 * it can go live. Asking again for the same source and spec gives the same release, so an
 * apply that was cut off converges on it instead of making another.
 */
export class Releaser {
  constructor(private readonly deps: ReleaserDeps) {}

  async ensure(req: EnsureRequest): Promise<{ release: ReleaseRecord; created: boolean }> {
    const { store, now } = this.deps;
    const env = req.environment;
    const snapshot: ReleaseSnapshot = { environment: env, builds: await this.build(req) };
    // A code deploy keeps the environment's current config (Heroku's: config outlives releases).
    const configVersion = (await store.getConfig(env.app, env.name))?.version ?? 0;
    const [latest] = await store.listReleases(env.app, env.name, 1);
    if (latest && latest.status !== 'failed' && latest.status !== 'rolled-back' && latest.configVersion === configVersion && isDeepStrictEqual(latest.spec, snapshot)) {
      return { release: latest, created: false };
    }
    await this.runPipeline(snapshot, req.onOutput);
    const buildIds = [...new Set(Object.values(snapshot.builds).map((b) => b.id))];
    const release = await store.createRelease(
      { app: env.app, env: env.name, buildId: buildIds.join(','), configVersion, spec: snapshot, description: `build ${buildIds.join(', ')}` },
      now(),
    );
    const name = releaseName(release.version);
    await store.appendEvent({ time: now(), app: env.app, env: env.name, kind: 'release.created', message: `${name} created from build ${buildIds.join(', ')}`, data: { release: release.version, builds: snapshot.builds } });
    if (env.release) await this.runReleaseCommand(release, snapshot, req.onOutput);
    await store.setReleaseStatus(env.app, env.name, release.version, 'deploying', undefined, now());
    return { release: { ...release, status: 'deploying' }, created: true };
  }

  /**
   * A config change's release: the same builds and spec snapshot as `live`, with the new
   * config version. Its release command runs too (Heroku runs the release phase on config
   * changes), since it may depend on the config.
   */
  async configRelease(live: ReleaseRecord, configVersion: number, description: string): Promise<ReleaseRecord> {
    const { store, now } = this.deps;
    const release = await store.createRelease({ app: live.app, env: live.env, buildId: live.buildId, configVersion, spec: live.spec, description }, now());
    const name = releaseName(release.version);
    await store.appendEvent({ time: now(), app: live.app, env: live.env, kind: 'release.created', message: `${name} created: ${description}`, data: { release: release.version, from: live.version, configVersion } });
    const snapshot = snapshotOf(release);
    if (snapshot.environment.release) await this.runReleaseCommand(release, snapshot);
    await store.setReleaseStatus(live.app, live.env, release.version, 'deploying', undefined, now());
    return { ...release, status: 'deploying' };
  }

  /** One build per distinct build command (most apps have one), shared by the services that use it. */
  private async build(req: EnsureRequest): Promise<ReleaseSnapshot['builds']> {
    const byCommand = new Map<string | undefined, { id: string; dir: string }>();
    const builds: ReleaseSnapshot['builds'] = {};
    for (const svc of Object.values(req.environment.services)) {
      let build = byCommand.get(svc.build);
      if (!build) {
        const made = await this.deps.builder.build({
          app: req.environment.app,
          sourceDir: req.dir,
          buildCommand: svc.build,
          includeUncommitted: req.includeUncommitted,
          onOutput: req.onOutput,
        });
        build = { id: made.id, dir: made.dir };
        byCommand.set(svc.build, build);
      }
      builds[svc.name] = build;
    }
    return builds;
  }

  /**
   * The spec's pipeline stages (check, then test) against the new build, before a release
   * exists: a failing stage stops the deploy with nothing created and nothing changed.
   */
  private async runPipeline(snapshot: ReleaseSnapshot, onOutput?: (line: OutputLine) => void): Promise<void> {
    const { store, now } = this.deps;
    const env = snapshot.environment;
    const build = Object.values(snapshot.builds)[0];
    if (!build) return;
    for (const stage of ['check', 'test'] as const) {
      const command = env.pipeline[stage];
      if (!command) continue;
      const { status, tail, logFile } = await this.runLogged(`${env.app}.${env.name}.${stage}.${build.id}`, command, build.dir, env, `${stage}-${build.id}.log`, onOutput);
      if (status === 0) {
        await store.appendEvent({ time: now(), app: env.app, env: env.name, kind: 'pipeline.passed', message: `${stage} passed on build ${build.id}`, data: { stage, build: build.id } });
        continue;
      }
      await store.appendEvent({ time: now(), app: env.app, env: env.name, kind: 'pipeline.failed', message: `${stage} failed on build ${build.id}: exit ${status}`, data: { stage, build: build.id, status, tail } });
      throw new WharfError('PIPELINE_FAILED', `the ${stage} stage (\`${command}\`) exited with status ${status}; nothing was released\n    ${tail.join('\n    ')}`, {
        hint: `the full output is in ${logFile}`,
        details: { stage, status, tail },
      });
    }
  }

  /** Runs the spec's `release` command in the first service's build; a failure fails the release. */
  private async runReleaseCommand(release: ReleaseRecord, snapshot: ReleaseSnapshot, onOutput?: (line: OutputLine) => void): Promise<void> {
    const { store, now } = this.deps;
    const env = snapshot.environment;
    const name = releaseName(release.version);
    const build = Object.values(snapshot.builds)[0]!;
    // The release command runs with the release's config (migrations need DATABASE_URL); pipeline stages with the spec's env only.
    const vars = { ...env.env, ...(await this.deps.configVars?.(release.app, release.env, release.configVersion)) };
    const { status, tail, logFile } = await this.runLogged(`${env.app}.${env.name}.release.${name}`, env.release!, build.dir, env, `${name}.log`, onOutput, vars);
    if (status === 0) {
      await store.appendEvent({ time: now(), app: env.app, env: env.name, kind: 'release.command', message: `${name}: release command succeeded`, data: { release: release.version } });
      return;
    }
    const reason = `release command exited with status ${status}`;
    await store.setReleaseStatus(env.app, env.name, release.version, 'failed', reason, now());
    await store.appendEvent({ time: now(), app: env.app, env: env.name, kind: 'release.failed', message: `${name} failed: ${reason}`, data: { release: release.version, status, tail } });
    throw new WharfError('RELEASE_FAILED', `${name} was not deployed: its ${reason}\n    ${tail.join('\n    ')}`, {
      hint: `the full output is in ${logFile}; fix the release command (\`${env.release}\`) and apply again`,
      details: { release: release.version, status, tail },
    });
  }

  /** A one-off in a build, its output kept in the releases dir and its last lines returned. */
  private async runLogged(id: string, command: string, cwd: string, env: ReleaseSnapshot['environment'], file: string, onOutput?: (line: OutputLine) => void, vars: Record<string, string> = env.env): Promise<{ status: number; tail: string[]; logFile: string }> {
    const dir = join(this.deps.releasesDir, env.app, env.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const logFile = join(dir, file);
    const log = createWriteStream(logFile, { mode: 0o600 });
    const tail: string[] = [];
    let partial = '';
    const status = await this.deps.runOneOff(
      { id, command, cwd, vars },
      {
        batch: true,
        onOutput: (chunk, stream) => {
          log.write(chunk);
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop() ?? '';
          for (const text of lines) {
            tail.push(text);
            if (tail.length > TAIL_LINES) tail.shift();
            onOutput?.({ stream, text });
          }
        },
      },
    );
    await new Promise((r) => log.end(r));
    if (partial) tail.push(partial);
    return { status, tail, logFile };
  }
}
