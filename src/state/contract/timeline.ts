import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../store.js';
import { AWKWARD_BODY, assertSameJson, audit, event, type UseStore } from './fixtures.js';

/** Appends events named e1, e2 … alternating between production and staging of `shop`. */
async function appendNumbered(store: Store, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= count; i++) {
    const env = i % 2 === 1 ? 'production' : 'staging';
    ids.push((await store.appendEvent(event({ env, kind: 'test.numbered', message: `e${i}`, time: i }))).id);
  }
  return ids;
}

const messages = (events: { message: string }[]) => events.map((e) => e.message);

export function timelineContract(use: UseStore): void {
  describe('events', () => {
    it('assigns strictly increasing ids and returns the record as stored', () =>
      use(async (store) => {
        const ids = await appendNumbered(store, 5);
        for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `${ids[i]} > ${ids[i - 1]}`);
        const appended = await store.appendEvent(event({ service: 'web', data: { from: 2, to: 4 } }));
        assert.deepEqual((await store.listEvents()).at(-1), appended);
        assert.deepEqual(appended, { id: appended.id, ...event({ service: 'web', data: { from: 2, to: 4 } }) });
      }));

    it('lists events oldest first, filtered by app and environment', () =>
      use(async (store) => {
        await appendNumbered(store, 4);
        await store.appendEvent(event({ app: 'blog', message: 'b1' }));
        await store.appendEvent(event({ env: undefined, message: 'app-wide' }));
        assert.deepEqual(messages(await store.listEvents()), ['e1', 'e2', 'e3', 'e4', 'b1', 'app-wide']);
        assert.deepEqual(messages(await store.listEvents({ app: 'shop' })), ['e1', 'e2', 'e3', 'e4', 'app-wide']);
        assert.deepEqual(messages(await store.listEvents({ app: 'shop', env: 'staging' })), ['e2', 'e4']);
      }));

    it('returns the most recent `limit` events, oldest first', () =>
      use(async (store) => {
        await appendNumbered(store, 6);
        assert.deepEqual(messages(await store.listEvents({ limit: 3 })), ['e4', 'e5', 'e6']);
        assert.deepEqual(messages(await store.listEvents({ env: 'production', limit: 2 })), ['e3', 'e5']);
      }));

    it('resumes after a given id, and pages forward with a limit without skipping any event', () =>
      use(async (store) => {
        const ids = await appendNumbered(store, 7);
        assert.deepEqual(messages(await store.listEvents({ afterId: ids[3]! })), ['e5', 'e6', 'e7']);
        assert.deepEqual(await store.listEvents({ afterId: ids[6]! }), []);

        const seen: string[] = [];
        let afterId = 0;
        for (;;) {
          const page = await store.listEvents({ afterId, limit: 3 });
          if (page.length === 0) break;
          seen.push(...messages(page));
          afterId = page.at(-1)!.id;
        }
        assert.deepEqual(seen, ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
      }));

    it('returns event data exactly as written, and no data key when none was given', () =>
      use(async (store) => {
        await store.appendEvent(event({ data: AWKWARD_BODY }));
        await store.appendEvent(event({ data: null }));
        await store.appendEvent(event());
        const [awkward, nullData, none] = await store.listEvents();
        assertSameJson(awkward?.data, AWKWARD_BODY);
        assert.ok(nullData !== undefined && 'data' in nullData && nullData.data === null, 'null data stays null');
        assert.ok(none !== undefined && !('data' in none) && !('service' in none), 'absent fields stay absent');
      }));
  });

  describe('audit', () => {
    it('assigns increasing ids and lists entries oldest first with details as written', () =>
      use(async (store) => {
        const first = await store.appendAudit(audit({ operation: 'apply', details: AWKWARD_BODY }));
        const second = await store.appendAudit(audit({ operation: 'scale', outcome: 'error' }));
        assert.ok(second.id > first.id);
        const listed = await store.listAudit();
        assert.deepEqual(listed, [first, second]);
        assertSameJson(listed[0]?.details, AWKWARD_BODY);
        assert.ok(!('details' in second));
      }));

    it('filters entries by app and environment and keeps the most recent `limit`', () =>
      use(async (store) => {
        await store.appendAudit(audit({ operation: 'a1' }));
        await store.appendAudit(audit({ operation: 'a2', env: 'staging' }));
        await store.appendAudit(audit({ operation: 'a3', app: 'blog' }));
        await store.appendAudit(audit({ operation: 'a4', app: undefined, env: undefined }));
        await store.appendAudit(audit({ operation: 'a5' }));
        const ops = async (q?: { app?: string; env?: string; limit?: number }) => (await store.listAudit(q)).map((a) => a.operation);
        assert.deepEqual(await ops(), ['a1', 'a2', 'a3', 'a4', 'a5']);
        assert.deepEqual(await ops({ app: 'shop' }), ['a1', 'a2', 'a5']);
        assert.deepEqual(await ops({ app: 'shop', env: 'production' }), ['a1', 'a5']);
        assert.deepEqual(await ops({ limit: 2 }), ['a4', 'a5']);
      }));
  });
}
