/**
 * The router process: the one executor that binds sockets, restores and persists the
 * table, serves the admin socket, and performs hand-off restarts and graceful stops.
 *
 *   starting ──▶ serving ──restart──▶ handing-off ──▶ draining ──▶ exited
 *                   │                                    ▲
 *                   └──────────── SIGTERM / SIGINT ──────┘
 */
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import * as D from '../defaults.js';
import { WharfError } from '../errors.js';
import { openAccessLog } from './access-log.js';
import { AdminServer } from './admin-server.js';
import type { RouterArgs } from './args.js';
import { FrontServers } from './front-servers.js';
import { finishHandOff, handOff, receiveListeners, tell, waitForAdminTurn } from './handoff.js';
import { Listeners } from './listeners.js';
import { renderPrometheus } from './prometheus.js';
import { Router } from './router.js';
import { TableStore } from './table-store.js';

type Phase = 'starting' | 'serving' | 'handing-off' | 'draining';

export async function runRouterProcess(args: RouterArgs, argv: readonly string[]): Promise<void> {
  let phase: Phase = 'starting';
  fs.mkdirSync(args.dataDir, { recursive: true, mode: 0o700 });
  const log = args.accessLog === undefined ? undefined : openAccessLog(args.accessLog);
  const router = new Router({
    store: new TableStore(args.dataDir),
    ...(log === undefined ? {} : { log }),
    onHealthChange: (b, from, to) =>
      process.stderr.write(JSON.stringify({ event: 'health', release: b.release, instance: b.id, from, to, time: new Date().toISOString() }) + '\n'),
  });
  router.restore();
  const front = new FrontServers(router, {
    maxHeaderBytes: args.maxHeaderBytes,
    headerTimeoutMs: args.headerTimeoutMs,
    keepAliveTimeoutMs: args.keepAliveTimeoutMs,
  });
  const metricsServer = http.createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end('not found\n');
    const body = renderPrometheus(router.metrics());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  const listeners = new Listeners({
    http: (s) => front.accept(s, false),
    https: (s) => front.accept(s, true),
    metrics: (s) => metricsServer.emit('connection', s),
  });

  const drainAndExit = async (): Promise<never> => {
    phase = 'draining';
    listeners.closeAll();
    const deadline = setTimeout(() => front.destroyAll(), D.DEFAULT_ROUTER_HANDOFF_DRAIN_MS);
    await front.closeGracefully();
    clearTimeout(deadline);
    router.stop();
    await log?.close();
    process.exit(0);
  };

  const admin = new AdminServer({
    pushTable: (t) => {
      // The new process has already read the table from disk: a push now would be lost on it.
      if (phase === 'handing-off') throw new WharfError('CONFLICT', 'router is handing over to a new process', { hint: 'push again in a moment' });
      return router.pushTable(t);
    },
    getTable: () => router.getTable(),
    metrics: () => router.metrics(),
    drainEvents: () => router.drainEvents(),
    onDrain: (l) => router.onDrain(l),
    onDemand: (l) => router.onDemand(l),
    restart: async () => {
      if (phase !== 'serving') throw new WharfError('CONFLICT', `router is ${phase}, not serving`);
      phase = 'handing-off';
      try {
        const r = await handOff({
          script: fileURLToPath(new URL('./bin.js', import.meta.url)),
          args: argv.filter((a) => a !== '--handoff'),
          listeners: listeners.all(),
          release: async () => {
            listeners.closeAll();
            await admin.stopAccepting();
          },
        });
        setImmediate(() => void drainAndExit());
        return r;
      } catch (e) {
        phase = 'serving';
        throw e;
      }
    },
  });

  if (args.handoff) {
    await receiveListeners((name, server) => listeners.adopt(name, server));
    tell({ type: 'accepting' });
    await waitForAdminTurn();
    await admin.listen(args.adminSocket);
    finishHandOff();
  } else {
    await listeners.listen('http', args.listen);
    if (args.listenTls) await listeners.listen('https', args.listenTls);
    if (args.metrics) await listeners.listen('metrics', args.metrics);
    await admin.listen(args.adminSocket);
  }
  phase = 'serving';
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (phase === 'serving') void admin.stopAccepting().then(drainAndExit);
    });
  }
  // One line a supervisor (and the tests) can read to learn the bound addresses.
  process.stdout.write(
    JSON.stringify({
      event: 'ready',
      pid: process.pid,
      generation: router.getTable().generation,
      http: listeners.address('http'),
      https: listeners.address('https'),
      metrics: listeners.address('metrics'),
      admin: args.adminSocket,
    }) + '\n',
  );
}
