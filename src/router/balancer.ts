/**
 * Choosing where a request goes: a release group by weight (or by sticky cookie), then
 * the less loaded of two random instances of that group ("power of two choices",
 * Mitzenmacher 2001; also Envoy's and Linkerd's default). Pure: randomness is passed in.
 */

export interface Candidate {
  readonly inFlight: number;
  /** Healthy, not ejected, not draining. */
  readonly eligible: boolean;
  /** Not draining: usable when the route fails open. */
  readonly serving: boolean;
}

export interface GroupView<C extends Candidate> {
  readonly release: string;
  readonly weight: number;
  readonly instances: readonly C[];
}

export type Random = () => number;

/**
 * Picks an instance for a new request, or undefined when the route has none left to serve.
 * When no instance anywhere is eligible the route fails open over serving instances: a
 * health check that fails everywhere is more often the check's fault than every instance's.
 */
export function choose<C extends Candidate>(
  groups: readonly GroupView<C>[],
  random: Random,
  stickyRelease?: string,
  exclude?: C,
): { group: GroupView<C>; instance: C } | undefined {
  for (const pass of ['eligible', 'serving'] as const) {
    const usable = (c: C): boolean => c[pass] && c !== exclude;
    if (stickyRelease !== undefined) {
      const g = groups.find((x) => x.release === stickyRelease && x.weight > 0);
      const inst = g && twoChoices(g.instances, usable, random);
      if (g && inst) return { group: g, instance: inst };
    }
    const g = pickGroup(groups, (x) => x.instances.some(usable), random);
    const inst = g && twoChoices(g.instances, usable, random);
    if (g && inst) return { group: g, instance: inst };
  }
  return undefined;
}

/** Weighted random choice among groups that have a usable instance. */
export function pickGroup<G extends { weight: number }>(groups: readonly G[], has: (g: G) => boolean, random: Random): G | undefined {
  let total = 0;
  for (const g of groups) if (g.weight > 0 && has(g)) total += g.weight;
  if (total === 0) return undefined;
  let r = random() * total;
  let last: G | undefined;
  for (const g of groups) {
    if (g.weight <= 0 || !has(g)) continue;
    last = g;
    r -= g.weight;
    if (r < 0) return g;
  }
  return last;
}

/** The less loaded of two distinct random usable instances (ties go to the first draw). */
export function twoChoices<C extends Candidate>(instances: readonly C[], usable: (c: C) => boolean, random: Random): C | undefined {
  let n = 0;
  for (const c of instances) if (usable(c)) n++;
  if (n === 0) return undefined;
  const a = nth(instances, usable, Math.floor(random() * n));
  if (n === 1) return a;
  let j = Math.floor(random() * (n - 1));
  const ai = indexOf(instances, usable, a);
  if (j >= ai) j++;
  const b = nth(instances, usable, j);
  return b.inFlight < a.inFlight ? b : a;
}

function nth<C>(xs: readonly C[], ok: (c: C) => boolean, k: number): C {
  let i = 0;
  for (const x of xs) if (ok(x) && i++ === k) return x;
  throw new Error('unreachable: index beyond usable instances');
}

function indexOf<C>(xs: readonly C[], ok: (c: C) => boolean, target: C): number {
  let i = 0;
  for (const x of xs) {
    if (x === target) return i;
    if (ok(x)) i++;
  }
  return -1;
}
