/**
 * Ignore files with git's semantics, layered the way git layers them: every directory may
 * hold its own `.gitignore` / `.wharfignore`, whose patterns are relative to that directory,
 * and a later or deeper pattern overrides an earlier one (gitignore(5), "PATTERN FORMAT").
 *
 * Pattern matching itself (negation, `dir/`, anchoring, `**`, and git's rule that nothing
 * inside an excluded directory can be re-included) is the `ignore` package, the
 * implementation eslint and prettier use. It knows one file at the root, so a deeper file's
 * patterns are rewritten as root patterns anchored at their directory, in order, into one
 * matcher: `/x` in `sub/` becomes `/sub/x`, and `*.log` in `sub/`, which matches at any
 * depth below `sub/`, becomes `/sub/` + a double-star segment + `*.log` (see anchorAt).
 */
import ignore, { type Ignore } from 'ignore';

/** Ignore files read in every directory of a plain (non-git) app folder, in this order. */
export const PLAIN_IGNORE_FILES: readonly string[] = ['.gitignore', '.wharfignore'];
/** In a git checkout git already decided what is in the tree; only Wharf's own file applies. */
export const GIT_IGNORE_FILES: readonly string[] = ['.wharfignore'];
/** Never part of a build, whatever the ignore files say. */
export const ALWAYS_EXCLUDED: readonly string[] = ['.git'];

export class IgnoreRules {
  // Git matches case-sensitively unless core.ignorecase says otherwise (it does not on Linux).
  private readonly rules: Ignore = ignore({ ignorecase: false });

  /**
   * Adds the patterns of an ignore file found in directory `dir` ('' for the root). Files
   * must be added shallow before deep, as a top-down walk does, for deeper patterns to win.
   */
  add(dir: string, text: string): void {
    const base = dir.replace(/^\/+|\/+$/g, '');
    const patterns = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
    this.rules.add(base === '' ? patterns : patterns.map((pattern) => anchorAt(base, pattern)));
  }

  /** Whether `path` (relative, '/'-separated) is left out: itself matched, or inside an excluded directory. */
  excludes(path: string, isDirectory: boolean): boolean {
    if (path.split('/').some((part) => ALWAYS_EXCLUDED.includes(part))) return true;
    return this.rules.ignores(isDirectory ? `${path}/` : path);
  }
}

/** Rewrites a pattern of the ignore file in directory `base` as a pattern of the root. */
export function anchorAt(base: string, pattern: string): string {
  const negated = pattern.startsWith('!');
  let body = negated ? pattern.slice(1) : pattern;
  // `\#` and `\!` escape a leading character only; once prefixed, the character is literal.
  if (body.startsWith('\\#') || body.startsWith('\\!')) body = body.slice(1);
  const prefix = escapeGlob(base);
  // A slash anywhere but at the end anchors the pattern to its directory; otherwise it matches at any depth below.
  const anchored = body.replace(/\/+$/, '').includes('/');
  const rooted = anchored ? `/${prefix}/${body.replace(/^\//, '')}` : `/${prefix}/**/${body}`;
  return negated ? `!${rooted}` : rooted;
}

function escapeGlob(path: string): string {
  return path.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}
