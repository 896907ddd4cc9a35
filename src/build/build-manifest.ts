/**
 * What a build is: its manifest, written once into the build directory and read-only
 * afterwards, and where its files are.
 *
 *   <buildsDir>/<id>/manifest.json   this record
 *   <buildsDir>/<id>/build.log       the build command's output
 *   <buildsDir>/<id>/app/            the built tree: where release commands run
 */
import { WharfError } from '../errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const LOG_FILE = 'build.log';
export const TREE_DIR = 'app';
/** Hex digits of the source hash in a build id: 48 bits, collision-free for any one app's history. */
const ID_HASH_CHARS = 12;

export interface BuildManifest {
  /** `<app>-<first 12 hex digits of the source hash>`: the same source makes the same id. */
  id: string;
  app: string;
  /** sha256 over the snapshot, the command and the build variables (source-hash.ts). */
  sourceHash: string;
  /** The build command, or null when the app has no build step. */
  command: string | null;
  source: {
    origin: 'git' | 'directory';
    commit?: string | undefined;
    /** True when the working tree's uncommitted changes were built. */
    uncommitted: boolean;
  };
  /** When the build finished (ms since the epoch). */
  createdAt: number;
  durationMs: number;
  /** Size of the built tree, in bytes (apparent sizes). */
  sizeBytes: number;
  files: number;
  /** Symlinks left out because they point outside the app folder. */
  skippedLinks: string[];
}

/** A build as callers see it: the manifest and the paths that go with it. */
export interface Build extends BuildManifest {
  /** The built tree: the working directory of the release's processes. */
  dir: string;
  logFile: string;
}

/** App names are DNS labels, since they appear in hostnames (`web.production.shop.localhost`). */
const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const BUILD_ID = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)-[0-9a-f]{12}$/;

export function assertAppName(app: string): void {
  if (!APP_NAME.test(app)) {
    throw new WharfError('BAD_REQUEST', `invalid app name ${JSON.stringify(app)}`, {
      hint: 'app names are lower-case letters, digits and dashes (a DNS label)',
    });
  }
}

export function buildIdFor(app: string, sourceHash: string): string {
  return `${app}-${sourceHash.slice(0, ID_HASH_CHARS)}`;
}

/** Whether `id` has the shape of a build id (and so is safe to join onto a path). */
export function isBuildId(id: string): boolean {
  return BUILD_ID.test(id);
}

export function parseManifest(text: string, where: string): BuildManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new WharfError('STATE_CORRUPT', `build manifest ${where} is not JSON`, { cause });
  }
  const m = value as Partial<BuildManifest> | null;
  const ok =
    m !== null &&
    typeof m === 'object' &&
    typeof m.id === 'string' &&
    isBuildId(m.id) &&
    typeof m.app === 'string' &&
    typeof m.sourceHash === 'string' &&
    (typeof m.command === 'string' || m.command === null) &&
    typeof m.createdAt === 'number' &&
    typeof m.durationMs === 'number' &&
    typeof m.sizeBytes === 'number' &&
    typeof m.source === 'object';
  if (!ok) throw new WharfError('STATE_CORRUPT', `build manifest ${where} is missing fields`);
  return { ...(m as BuildManifest), skippedLinks: m.skippedLinks ?? [], files: m.files ?? 0 };
}
