/**
 * Builds: immutable artifacts made from an app folder (DESIGN.md, "build").
 *
 * A build is made in a private staging directory and put on the shelf only when it is
 * complete (build-shelf.ts): a failed or interrupted build leaves nothing, and two
 * builders making the same source at once (two requests, or two processes) cannot mix
 * their files — the second finds the first's build in place and its copy is thrown away.
 *
 *   snapshot → materialize + hash ─┬─ cached? ──────────────────────────► existing build
 *                                  └─ run command → seal read-only → rename ► new build
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_BUILDS_KEEP, DEFAULT_BUILD_FAILURE_TAIL_LINES } from '../defaults.js';
import { WharfError } from '../errors.js';
import { buildEnvironment, gitEnvironment } from './build-env.js';
import { BuildLog, type OutputLine } from './build-log.js';
import { buildFailed, logUnwritable, nothingToBuild } from './build-errors.js';
import { describeSource, notify, skippedNote } from './build-notes.js';
import { LOG_FILE, MANIFEST_FILE, TREE_DIR, assertAppName, buildIdFor, type Build, type BuildManifest } from './build-manifest.js';
import { BuildShelf } from './build-shelf.js';
import { planCollection } from './collect-plan.js';
import { materialize } from './materialize.js';
import { runCommand } from './run-command.js';
import { sourceHash } from './source-hash.js';
import { takeSnapshot } from './source-snapshot.js';
import { StagingArea } from './staging-area.js';
import { chownTree, removeTree, treeSize } from './tree-files.js';

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
  /**
   * Run build commands as this unprivileged user (a root daemon passes the app user): an
   * install script is app code and must not run as root. The tree is theirs while the
   * command runs and the daemon's again before it is sealed, so the app cannot unseal its
   * own build. Its HOME is `<buildsDir>/.home`, kept between builds as the package cache,
   * so `buildsDir` and its parents must be searchable by that user — as they must be for
   * the release processes that run from it.
   * @default undefined: the daemon's own user
   */
  runAs?: Identity | undefined;
}

export interface Identity {
  uid: number;
  gid: number;
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
  private readonly shelf: BuildShelf;
  private readonly runAs: Identity | undefined;
  /** Who owns sealed builds: the daemon's user. */
  private readonly owner: Identity;

  constructor(options: BuilderOptions) {
    this.buildsDir = options.buildsDir;
    this.keep = options.keep ?? DEFAULT_BUILDS_KEEP;
    this.clock = options.clock ?? Date;
    this.hostEnv = options.hostEnv ?? process.env;
    this.tailLines = options.tailLines ?? DEFAULT_BUILD_FAILURE_TAIL_LINES;
    this.staging = new StagingArea(join(this.buildsDir, '.staging'));
    this.shelf = new BuildShelf(this.buildsDir);
    this.runAs = options.runAs;
    this.owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
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
      const existing = await this.shelf.get(id);
      if (existing !== undefined) {
        notify(request.onOutput, `source unchanged: reusing build ${id}`);
        return { ...existing, cached: true };
      }

      const header = `building ${id} from ${describeSource(snapshot)}`;
      await this.runStep(stage, request, command, snapshot.commit, [header, ...skippedLinks.map(skippedNote)]);
      if (this.runAs !== undefined) await chownTree(tree, this.owner.uid, this.owner.gid);

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
      const { build, existed } = await this.shelf.publish(stage, manifest);
      return { ...build, cached: existed };
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
    notes: readonly string[],
  ): Promise<void> {
    const log = new BuildLog(join(stage, LOG_FILE), this.tailLines, request.onOutput);
    let failure: WharfError | undefined;
    try {
      for (const note of notes) log.write('wharf', note);
      if (command === undefined) return;
      log.write('wharf', `running ${command}`);
      const tree = join(stage, TREE_DIR);
      const home = this.runAs === undefined ? undefined : await this.handOver(tree, this.runAs);
      const env = buildEnvironment({ host: this.hostEnv, app: request.app, commit, variables: request.env, home });
      const outcome = await runCommand({ command, cwd: tree, env, log, signal: request.signal, identity: this.runAs });
      if (outcome.exitCode !== 0) failure = buildFailed(request.app, command, outcome, log.tail(), request.signal?.aborted === true);
    } finally {
      // The log of a failed build goes with its staging; only a successful one must be whole.
      const closed = await log.close().then(() => undefined, (error: unknown) => error);
      if (failure === undefined && closed !== undefined) failure = logUnwritable(request.app, closed);
    }
    if (failure !== undefined) throw failure;
  }

  /** Gives the staged tree to the build user and returns that user's home, made on first use. */
  private async handOver(tree: string, user: Identity): Promise<string> {
    await chownTree(tree, user.uid, user.gid);
    const home = join(this.buildsDir, '.home');
    await mkdir(home, { recursive: true, mode: 0o700 });
    await chownTree(home, user.uid, user.gid);
    return home;
  }

  /** The build with this id, or undefined if there is none. */
  get(id: string): Promise<Build | undefined> {
    return this.shelf.get(id);
  }

  /** An app's builds, newest first. */
  async list(app: string): Promise<Build[]> {
    const builds = await this.shelf.all();
    return builds.filter((build) => build.app === app).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }

  /**
   * Removes all but the newest `keep` builds of each app, never one whose id is in `inUse`
   * (the builds of running and warm releases), and staging left by builders that died.
   * Returns the ids removed.
   */
  async collect(inUse: ReadonlySet<string>): Promise<string[]> {
    const doomed = planCollection(await this.shelf.all(), this.keep, inUse);
    for (const id of doomed) await this.shelf.remove(id);
    await this.staging.removeAbandoned();
    return doomed;
  }
}
