/**
 * Builds: immutable artifacts made from an app folder (DESIGN.md, "build").
 *
 * A build goes through a private staging directory and appears under its id only when it
 * is complete, by one rename(2), which is atomic: a reader sees a whole build or none, a
 * failed or interrupted build leaves nothing, and two builders making the same source at
 * once (two requests, or two processes) cannot mix their files — the second rename finds
 * the first's build in place and the second copy is thrown away.
 *
 *   snapshot → materialize + hash ─┬─ cached? ──────────────────────────► existing build
 *                                  └─ run command → seal read-only → rename ► new build
 */
import { chmod, lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_BUILDS_KEEP, DEFAULT_BUILD_FAILURE_TAIL_LINES } from '../defaults.js';
import { WharfError } from '../errors.js';
import { buildEnvironment, gitEnvironment } from './build-env.js';
import { BuildLog, type OutputLine } from './build-log.js';
import { buildFailed, nothingToBuild } from './build-errors.js';
import {
  LOG_FILE, MANIFEST_FILE, TREE_DIR, assertAppName, buildIdFor, isBuildId, parseManifest,
  type Build, type BuildManifest,
} from './build-manifest.js';
import { planCollection } from './collect-plan.js';
import { materialize } from './materialize.js';
import { runCommand } from './run-command.js';
import { sourceHash } from './source-hash.js';
import { takeSnapshot } from './source-snapshot.js';
import { StagingArea } from './staging-area.js';
import { removeTree, setTreeWritable, treeSize } from './tree-files.js';

export interface Clock {
  now(): number;
}

export interface BuilderOptions {
  /** Where builds live; created if missing. */
  buildsDir: string;
  /** Builds kept per app by collect(), besides those in use. @default DEFAULT_BUILDS_KEEP */
  keep?: number;
  clock?: Clock;
  /** The host environment that the allow-listed build variables are copied from. @default process.env */
  hostEnv?: Readonly<Record<string, string | undefined>>;
  /** Lines of output a BUILD_FAILED error carries. @default DEFAULT_BUILD_FAILURE_TAIL_LINES */
  tailLines?: number;
}

export interface BuildRequest {
  app: string;
  sourceDir: string;
  /** The spec's build command, run by /bin/sh in the build directory. None: the snapshot is the build. */
  buildCommand?: string | undefined;
  /** In a git checkout, build the working tree (tracked changes and untracked, unignored files). */
  includeUncommitted?: boolean | undefined;
  /** Build-time variables from the spec; part of the cache key. */
  env?: Readonly<Record<string, string>> | undefined;
  onOutput?: ((line: OutputLine) => void) | undefined;
  /** Aborting kills the build command's process group; the build fails and leaves nothing. */
  signal?: AbortSignal | undefined;
}

/** A build, and whether it was made now or found already made from the same source. */
export type BuildResult = Build & { cached: boolean };

export class Builder {
  private readonly buildsDir: string;
  private readonly keep: number;
  private readonly clock: Clock;
  private readonly hostEnv: Readonly<Record<string, string | undefined>>;
  private readonly tailLines: number;
  private readonly staging: StagingArea;

  constructor(options: BuilderOptions) {
    this.buildsDir = options.buildsDir;
    this.keep = options.keep ?? DEFAULT_BUILDS_KEEP;
    this.clock = options.clock ?? Date;
    this.hostEnv = options.hostEnv ?? process.env;
    this.tailLines = options.tailLines ?? DEFAULT_BUILD_FAILURE_TAIL_LINES;
    this.staging = new StagingArea(join(this.buildsDir, '.staging'));
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    assertAppName(request.app);
    const started = this.clock.now();
    const command = request.buildCommand?.trim() || undefined;
    const variables = request.env ?? {};
    const stage = await this.staging.create();
    try {
      const snapshot = await takeSnapshot(request.sourceDir, {
        includeUncommitted: request.includeUncommitted ?? false,
        gitEnv: gitEnvironment(this.hostEnv),
      });
      const tree = join(stage, TREE_DIR);
      await mkdir(tree);
      const { records, skippedLinks } = await materialize(snapshot.entries, tree);
      if (records.length === 0) throw nothingToBuild(request.sourceDir, snapshot.origin === 'git' && !snapshot.uncommitted);
      const hash = sourceHash({ entries: records, command, env: variables });
      const id = buildIdFor(request.app, hash);
      const existing = await this.get(id);
      if (existing !== undefined) return { ...existing, cached: true };

      await this.runStep(stage, request, command, snapshot.commit, skippedLinks);

      const size = await treeSize(tree);
      const finished = this.clock.now();
      const manifest: BuildManifest = {
        id,
        app: request.app,
        sourceHash: hash,
        command: command ?? null,
        source: { origin: snapshot.origin, commit: snapshot.commit, uncommitted: snapshot.uncommitted },
        createdAt: finished,
        durationMs: Math.max(0, finished - started),
        sizeBytes: size.bytes,
        files: size.files,
        skippedLinks,
      };
      await writeFile(join(stage, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
      return await this.publish(stage, manifest);
    } finally {
      await removeTree(stage);
    }
  }

  /** Writes the build log and runs the build command, if any, in the staged tree; throws BUILD_FAILED if it fails. */
  private async runStep(
    stage: string,
    request: BuildRequest,
    command: string | undefined,
    commit: string | undefined,
    skippedLinks: readonly string[],
  ): Promise<void> {
    const log = new BuildLog(join(stage, LOG_FILE), this.tailLines, request.onOutput);
    let failure: WharfError | undefined;
    try {
      for (const link of skippedLinks) log.write('wharf', `skipped symlink ${link}: it points outside the app folder`);
      if (command === undefined) return;
      log.write('wharf', `running ${command}`);
      const env = buildEnvironment({ host: this.hostEnv, app: request.app, commit, variables: request.env });
      const outcome = await runCommand({ command, cwd: join(stage, TREE_DIR), env, log, signal: request.signal });
      if (outcome.exitCode !== 0) failure = buildFailed(request.app, command, outcome, log.tail(), request.signal?.aborted === true);
    } finally {
      // The log of a failed build goes with its staging; only a successful one must be whole.
      await (failure === undefined ? log.close() : log.close().catch(() => undefined));
    }
    if (failure !== undefined) throw failure;
  }

  /** The build with this id, or undefined if there is none. */
  async get(id: string): Promise<Build | undefined> {
    if (!isBuildId(id)) return undefined;
    const dir = join(this.buildsDir, id);
    let text: string;
    try {
      text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return { ...parseManifest(text, join(dir, MANIFEST_FILE)), dir: join(dir, TREE_DIR), logFile: join(dir, LOG_FILE) };
  }

  /** An app's builds, newest first. */
  async list(app: string): Promise<Build[]> {
    const builds = await this.all();
    return builds.filter((build) => build.app === app).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }

  /**
   * Removes all but the newest `keep` builds of each app, never one whose id is in `inUse`
   * (the builds of running and warm releases), and staging left by builders that died.
   * Returns the ids removed.
   */
  async collect(inUse: ReadonlySet<string>): Promise<string[]> {
    const doomed = planCollection(await this.all(), this.keep, inUse);
    for (const id of doomed) await removeTree(join(this.buildsDir, id));
    await this.staging.removeAbandoned();
    return doomed;
  }

  private async all(): Promise<Build[]> {
    let names: string[];
    try {
      names = await readdir(this.buildsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const builds = await Promise.all(names.filter(isBuildId).map((id) => this.get(id)));
    return builds.filter((build): build is Build => build !== undefined);
  }

  /** Seals the staged build and renames it into place; if the same build got there first, that one wins. */
  private async publish(stage: string, manifest: BuildManifest): Promise<BuildResult> {
    for (const name of [TREE_DIR, LOG_FILE, MANIFEST_FILE]) await setTreeWritable(join(stage, name), false);
    const target = join(this.buildsDir, manifest.id);
    try {
      // rename(2) of a directory needs write permission on it (to update '..'): seal it after.
      await rename(stage, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      const winner = await this.get(manifest.id);
      if (winner === undefined) {
        throw new WharfError('STATE_CORRUPT', `${target} exists but holds no build manifest`, {
          hint: `remove ${target} and build again`,
        });
      }
      return { ...winner, cached: true };
    }
    await chmod(target, (await lstat(target)).mode & 0o1555);
    return { ...manifest, dir: join(target, TREE_DIR), logFile: join(target, LOG_FILE), cached: false };
  }
}
