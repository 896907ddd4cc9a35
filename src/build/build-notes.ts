/**
 * Wharf's own lines in a build's output (stream `wharf`): where the source came from, what
 * was left out, and that a cached build was reused.
 */
import type { OutputLine } from './build-log.js';
import type { SourceSnapshot } from './source-snapshot.js';

export function describeSource(snapshot: SourceSnapshot): string {
  if (snapshot.origin === 'directory') return 'the folder (not a git checkout)';
  const commit = snapshot.commit === undefined ? 'a repository with no commit yet' : `commit ${snapshot.commit.slice(0, 12)}`;
  return snapshot.uncommitted ? `${commit} with uncommitted changes` : commit;
}

export function skippedNote(link: string): string {
  return `skipped symlink ${link}: it points outside the app folder`;
}

/** A note to whoever watches a build that writes no log (a cached one); a failing watcher is ignored. */
export function notify(onOutput: ((line: OutputLine) => void) | undefined, text: string): void {
  try {
    onOutput?.({ stream: 'wharf', text });
  } catch {
    // The build is already made; a watcher that went away changes nothing.
  }
}
