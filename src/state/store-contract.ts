import { describe } from 'node:test';
import { addonsContract } from './contract/addons.js';
import { appsAndEnvironmentsContract } from './contract/apps-environments.js';
import { configContract } from './contract/config.js';
import type { UseStore } from './contract/fixtures.js';
import { instancesContract } from './contract/instances.js';
import { locksContract } from './contract/locks.js';
import { releasesContract } from './contract/releases.js';
import { resourcesContract } from './contract/resources.js';
import { timelineContract } from './contract/timeline.js';
import type { Store } from './store.js';

/**
 * Makes a fresh, empty store for one test. `cleanup` closes it and removes whatever the
 * maker created (a temp file, a scratch schema); the suite calls it after every test.
 */
export type MakeStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/**
 * The behaviour every Store implementation owes Wharf, as one node:test suite. Each test
 * gets its own empty store, so an implementation passes or fails each on its own.
 *
 * Usage, from an implementation's test file:
 *
 *     runStoreContract('SqliteStore', async () => { …; return { store, cleanup } });
 *
 * Beyond what store.ts states, the suite pins down what a caller can rely on:
 * - records read back are deep-equal to those written: optional fields never given are
 *   absent (not `undefined`-valued), JSON bodies keep their key order (so a PostgreSQL
 *   store keeps bodies as `json` or text, not `jsonb`);
 * - lists have a defined order: apps and environments by name, resources by kind then
 *   name, instances by app, environment, service then id, releases newest first, events
 *   and audit entries oldest first;
 * - listEvents with `afterId` pages forward (the first `limit` after it), without it
 *   `limit` keeps the most recent;
 * - resources, releases and instances of an unrecorded environment are refused with
 *   ENV_NOT_FOUND, an environment of an unrecorded app with APP_NOT_FOUND, a status
 *   change of an unrecorded release with NOT_FOUND; getters answer undefined and lists [];
 * - destroying an environment keeps its events and audit entries; destroying one that
 *   does not exist does nothing;
 * - locks are not re-entrant: the holder asking again is told it holds the lock;
 * - config versions are complete and numbered per environment, go with their environment,
 *   and resealValues re-encrypts all or nothing.
 */
export function runStoreContract(name: string, makeStore: MakeStore): void {
  const use: UseStore = async (fn) => {
    const { store, cleanup } = await makeStore();
    try {
      await fn(store);
    } finally {
      await cleanup();
    }
  };

  describe(`Store contract: ${name}`, () => {
    appsAndEnvironmentsContract(use);
    resourcesContract(use);
    releasesContract(use);
    instancesContract(use);
    timelineContract(use);
    locksContract(use);
    addonsContract(use);
    configContract(use);
  });
}
