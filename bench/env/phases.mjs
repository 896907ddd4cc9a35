// Where a clone's time goes, read from Wharf's own timeline (`wharf events --json`): the
// clone's steps are sequential, so each phase is the span from one milestone event to the
// next, and the figures are what the daemon recorded, not what the bench guessed.

/**
 * Milestones of a clone with --with-data, in the order it passes them: [label, event kind,
 * side ("copy"; "web": the copy's events of web services; "source": the environment cloned
 * from, where the snapshot is taken),
 * which hit ("next": the first at or after the previous milestone; "last": the latest)].
 */
const MILESTONES = [
  ['environment records', 'env.created', 'copy', 'next'],
  ['config copy + plan', 'apply.started', 'copy', 'next'],
  ['add-on provisioning (both attached)', 'addon.attached', 'copy', 'last'],
  ['data copy: snapshots of the source taken', 'addon.backup.created', 'source', 'last'],
  ['data copy: both add-ons loaded', 'addon.restored', 'copy', 'last'],
  ['build + release recorded', 'release.created', 'copy', 'next'],
  ['first instance starting', 'rollout.starting', 'copy', 'next'],
  ['web services started and healthy (last web service ready)', 'rollout.ready', 'web', 'last'],
  ['workers ready (last service ready: workers must keep running a liveness window)', 'rollout.ready', 'copy', 'last'],
  ['release live', 'release.live', 'copy', 'next'],
  ['apply finished', 'apply.finished', 'copy', 'last'],
];

/**
 * @param {number} t0 epoch ms at which `wharf env clone` was started
 * @param {{ time: number, kind: string }[]} copy events of the new environment since t0
 * @param {{ time: number, kind: string }[]} source events of the source environment since t0
 * @param {Set<string>} web the web services
 * @returns {{ name: string, at: number | undefined, ms: number | undefined }[]} each phase's end (ms after t0) and length
 */
export function clonePhases(t0, copy, source, web) {
  let previous = 0;
  const phases = [];
  for (const [name, kind, side, which] of MILESTONES) {
    const list = side === 'source' ? source : side === 'web' ? copy.filter((e) => web.has(e.service)) : copy;
    const hits = list.filter((e) => e.kind === kind).map((e) => e.time - t0);
    const after = hits.filter((t) => t >= previous);
    const at = which === 'last' ? (hits.length ? Math.max(...hits) : undefined) : after.length ? Math.min(...after) : undefined;
    phases.push({ name, at, ms: at === undefined ? undefined : at - previous });
    if (at !== undefined) previous = at;
  }
  return phases;
}
