/**
 * Which builds garbage collection removes: for each app, everything but the newest `keep`,
 * except a build that a running or warm release still uses — removing that one would pull
 * the directory from under live processes and make a rollback impossible.
 */

export interface CollectableBuild {
  id: string;
  app: string;
  createdAt: number;
}

export function planCollection(
  builds: readonly CollectableBuild[],
  keep: number,
  inUse: ReadonlySet<string>,
): string[] {
  const byApp = new Map<string, CollectableBuild[]>();
  for (const build of builds) {
    const list = byApp.get(build.app) ?? [];
    list.push(build);
    byApp.set(build.app, list);
  }
  const doomed: string[] = [];
  for (const list of byApp.values()) {
    // Newest first; the id breaks ties so the choice does not depend on directory order.
    list.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const build of list.slice(Math.max(0, keep))) {
      if (!inUse.has(build.id)) doomed.push(build.id);
    }
  }
  return doomed;
}
