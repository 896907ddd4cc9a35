/**
 * The snapshot of an app folder inside a git checkout: by default the tree committed at
 * HEAD, so a build is exactly a commit whatever is lying around in the working tree; with
 * `includeUncommitted`, the working tree as git sees it (tracked files as they are now,
 * plus untracked files git does not ignore). `.wharfignore` applies to both; in the
 * committed case its committed version does, so the build stays a function of the commit.
 *
 * The app folder may be a subfolder of the repository (a monorepo); git limits both
 * listings to it and gives paths relative to it. Submodules are not followed.
 */
import { lstat, readFile, readlink, realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { WharfError } from '../errors.js';
import { IgnoreRules, GIT_IGNORE_FILES } from './ignore-rules.js';
import { nulRecords, readBlobs, runGit, type GitContext } from './git.js';
import { kindFromMode, type EntryKind, type SnapshotEntry } from './snapshot-entry.js';

/** HEAD's commit if `dir` is inside a git work tree with commits, null if it has none yet, undefined if not git. */
export async function gitHead(ctx: GitContext): Promise<string | null | undefined> {
  try {
    const inside = (await runGit(ctx, ['rev-parse', '--is-inside-work-tree'])).toString().trim();
    if (inside !== 'true') return undefined;
  } catch (error) {
    // Git refuses a repository another user owns (CVE-2022-24765). Falling back to a plain
    // copy would silently build uncommitted files, so say so instead.
    if (error instanceof WharfError && error.message.includes('dubious ownership')) {
      throw new WharfError('BUILD_FAILED', `git refuses to read ${ctx.cwd}: it belongs to another user`, {
        hint: `if you trust it, run as the daemon's user: git config --global --add safe.directory ${ctx.cwd}`,
        cause: error,
      });
    }
    return undefined;
  }
  try {
    return (await runGit(ctx, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).toString().trim();
  } catch {
    return null;
  }
}

interface TreeItem {
  path: string;
  kind: EntryKind;
  oid: string;
}

const TREE_KINDS: Readonly<Record<string, EntryKind>> = { '100644': 'file', '100755': 'executable', '120000': 'symlink' };

export async function* committedEntries(ctx: GitContext): AsyncGenerator<SnapshotEntry> {
  const items: TreeItem[] = [];
  // "<mode> SP <type> SP <object> TAB <file>" (git-ls-tree(1)); mode 160000 (a submodule) has no kind.
  for (const record of nulRecords(await runGit(ctx, ['ls-tree', '-r', '-z', 'HEAD']))) {
    const tab = record.indexOf('\t');
    const [mode, , oid] = record.slice(0, tab).split(' ');
    const kind = TREE_KINDS[mode ?? ''];
    if (kind !== undefined && oid !== undefined) items.push({ path: record.slice(tab + 1), kind, oid });
  }
  const ignoreFiles = items.filter((item) => isIgnoreFile(item.path) && item.kind !== 'symlink');
  const texts = new Map<string, string>();
  let i = 0;
  for await (const data of readBlobs(ctx, ignoreFiles.map((item) => item.oid))) {
    texts.set((ignoreFiles[i++] as TreeItem).path, data.toString('utf8'));
  }
  const rules = rulesFrom(texts);
  const kept = items.filter((item) => !rules.excludes(item.path, false));
  let n = 0;
  for await (const data of readBlobs(ctx, kept.map((item) => item.oid))) {
    const item = kept[n++] as TreeItem;
    yield { path: item.path, kind: item.kind, data };
  }
}

export async function* workingEntries(ctx: GitContext): AsyncGenerator<SnapshotEntry> {
  const listed = nulRecords(await runGit(ctx, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']));
  const paths = [...new Set(listed)]; // an unmerged path is listed once per stage
  const texts = new Map<string, string>();
  for (const path of paths.filter(isIgnoreFile)) {
    const stat = await lstat(join(ctx.cwd, path)).catch(() => undefined);
    if (stat?.isFile() === true) texts.set(path, await readFile(join(ctx.cwd, path), 'utf8'));
  }
  const rules = rulesFrom(texts);
  const root = await realpath(ctx.cwd);
  for (const path of paths) {
    if (rules.excludes(path, false)) continue;
    const absolute = join(ctx.cwd, path);
    const stat = await lstat(absolute).catch(() => undefined);
    // Missing: deleted but not yet committed. A directory: a submodule. Neither is a file to copy.
    if (stat === undefined || stat.isDirectory()) continue;
    // A tracked `a/f` whose `a` was replaced by a symlink would otherwise be read through it.
    const parent = await realpath(dirname(absolute));
    if (parent !== root && !parent.startsWith(root + sep)) continue;
    if (stat.isSymbolicLink()) {
      yield { path, kind: 'symlink', data: Buffer.from(await readlink(absolute), 'utf8') };
    } else if (stat.isFile()) {
      yield { path, kind: kindFromMode(stat.mode), data: await readFile(absolute) };
    }
  }
}

function isIgnoreFile(path: string): boolean {
  return GIT_IGNORE_FILES.includes(path.slice(path.lastIndexOf('/') + 1));
}

/** Ignore files shallow before deep, so a deeper directory's patterns win (gitignore(5)). */
function rulesFrom(texts: ReadonlyMap<string, string>): IgnoreRules {
  const rules = new IgnoreRules();
  const byDepth = [...texts.keys()].sort((a, b) => a.split('/').length - b.split('/').length);
  for (const path of byDepth) {
    const slash = path.lastIndexOf('/');
    rules.add(slash < 0 ? '' : path.slice(0, slash), texts.get(path) as string);
  }
  return rules;
}
