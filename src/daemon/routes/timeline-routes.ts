import type { Store } from '../../state/store.js';
import type { EventRecord } from '../../state/types.js';
import { toFeedEvent, type EventHub } from '../event-hub.js';
import { pipeFeed, sse, type Route } from '../http/index.js';
import { queryInt } from './body.js';

/** The timeline (events, also as a live stream) and the audit trail. */
export function timelineRoutes(store: Store, hub: EventHub): Route[] {
  const filterOf = (q: URLSearchParams) => ({
    ...(q.get('app') ? { app: q.get('app')! } : {}),
    ...(q.get('env') ? { env: q.get('env')! } : {}),
  });
  const matches = (f: { app?: string; env?: string }, e: EventRecord) => (!f.app || e.app === f.app) && (!f.env || e.env === f.env);
  return [
    {
      method: 'GET',
      path: '/v1/events',
      handler: async ({ query }) => {
        const afterId = queryInt(query, 'after', Number.MAX_SAFE_INTEGER);
        const limit = queryInt(query, 'limit', 10_000) ?? 100;
        return { events: await store.listEvents({ ...filterOf(query), ...(afterId === undefined ? {} : { afterId }), limit }) };
      },
    },
    {
      method: 'GET',
      path: '/v1/events/stream',
      handler: ({ query, res }) => {
        const filter = filterOf(query);
        return pipeFeed(sse(res), {
          replay: async (afterId) => (await store.listEvents({ ...filter, ...(afterId === undefined ? { limit: 50 } : { afterId }) })).map(toFeedEvent),
          subscribe: (listener) => hub.subscribe((e) => matches(filter, e) && listener(toFeedEvent(e))),
        });
      },
    },
    {
      method: 'GET',
      path: '/v1/audit',
      handler: async ({ query }) => ({ audit: await store.listAudit({ ...filterOf(query), limit: queryInt(query, 'limit', 10_000) ?? 100 }) }),
    },
  ];
}
