import { join } from 'node:path';
import type { Fleet } from '../../deploy/fleet.js';
import type { Operations } from '../../deploy/operations.js';
import { WharfError } from '../../errors.js';
import { followLogs, readLogs } from '../../runtime/index.js';
import type { Store } from '../../state/store.js';
import { sse, type Route } from '../http/index.js';
import { optionalString, queryInt, requiredString } from './body.js';
import { streamLines } from './ndjson.js';

export interface RuntimeRouteDeps {
  store: Store;
  fleet: Fleet;
  operations: Operations;
  logsDir: string;
}

const ENV = '/v1/apps/:app/envs/:env';

/** ps, releases, logs, scale, restart and run: the running side of an environment. */
export function runtimeRoutes({ store, fleet, operations, logsDir }: RuntimeRouteDeps): Route[] {
  const logQuery = (params: Record<string, string>, query: URLSearchParams) => ({
    dirs: [join(logsDir, params['app']!, params['env']!)],
    ...(query.get('service') ? { service: query.get('service')! } : {}),
    ...(query.get('since') ? { since: Number(query.get('since')) } : {}),
  });
  return [
    {
      method: 'GET',
      path: `${ENV}/instances`,
      handler: async ({ params }) => ({ instances: await fleet.list({ app: params['app']!, env: params['env']! }) }),
    },
    {
      method: 'GET',
      path: `${ENV}/releases`,
      handler: async ({ params, query }) => {
        const releases = await store.listReleases(params['app']!, params['env']!, queryInt(query, 'limit', 1000) ?? 20);
        // The snapshot is large and the client needs a summary; `wharf releases --json` shows this.
        return { releases: releases.map(({ spec: _spec, ...r }) => r) };
      },
    },
    {
      method: 'GET',
      path: `${ENV}/logs`,
      handler: ({ params, query }) => ({ lines: readLogs({ ...logQuery(params, query), tail: queryInt(query, 'tail', 100_000) ?? 200 }) }),
    },
    {
      method: 'GET',
      path: `${ENV}/logs/stream`,
      handler: async ({ params, query, res }) => {
        const stream = sse(res);
        const tail = queryInt(query, 'tail', 100_000) ?? 200;
        for await (const batch of followLogs({ ...logQuery(params, query), tail, signal: stream.signal })) {
          for (const line of batch) stream.send({ data: JSON.stringify(line) });
        }
        stream.close();
      },
    },
    {
      method: 'POST',
      path: `${ENV}/scale`,
      handler: async ({ params, body, caller }) => {
        const counts = (body as { counts?: unknown } | undefined)?.counts;
        if (typeof counts !== 'object' || counts === null || Array.isArray(counts) || !Object.keys(counts).length) {
          throw new WharfError('BAD_REQUEST', 'body.counts: expected a mapping of service names to instance counts, e.g. {"web": 3}');
        }
        return { scaled: await operations.scale(params['app']!, params['env']!, counts as Record<string, number>, caller) };
      },
    },
    {
      method: 'POST',
      path: `${ENV}/restart`,
      handler: async ({ params, body, caller }) => ({ restarted: await operations.restart(params['app']!, params['env']!, optionalString(body, 'service'), caller) }),
    },
    {
      method: 'POST',
      path: `${ENV}/run`,
      // Streams the process's output as NDJSON lines, then its exit status. The head is
      // written with the first line, so a refusal before the process starts is a normal error.
      handler: async ({ params, body, caller, res, signal }) => {
        const command = requiredString(body, 'command');
        await streamLines(
          res,
          (line) => operations.run(params['app']!, params['env']!, optionalString(body, 'service'), command, caller, { onOutput: (chunk, stream) => line({ stream, data: chunk.toString('base64') }), signal }),
          (status) => ({ exit: status }),
        );
      },
    },
  ];
}
