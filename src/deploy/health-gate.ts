import { request } from 'node:http';
import { WARMUP_CONNECTIONS, WARMUP_REQUESTS_PER_CONNECTION, WARMUP_RETRY_MS } from '../defaults.js';
import { requestIdOf, upstreamRequestHeaders } from '../router/headers.js';
import { exchange, UpstreamPool } from '../router/upstream-pool.js';
import type { HealthSpec } from '../spec/wharf-schema.js';

export interface ProbeResult {
  passed: boolean;
  /** `200`, `503`, `timeout`, `ECONNREFUSED` … for the reason a gate failed. */
  detail: string;
}

/**
 * One health check: GET the path on the instance, with no keep-alive; any 2xx or 3xx passes
 * (the rule the router applies after cut-over too). Settled at the answer's head; `detail`
 * is its status, or why there was none (`timeout`, `ECONNREFUSED` …).
 */
export function probe(port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const headers = { 'user-agent': 'wharf-health-gate', connection: 'close' };
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs, headers }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ passed: status >= 200 && status < 400, detail: String(status) });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ passed: false, detail: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

export interface WarmUpOptions {
  now?: () => number;
  /** Aborted: send no more (the gate failed meanwhile). */
  signal?: AbortSignal | undefined;
  /** @default WARMUP_CONNECTIONS */
  connections?: number;
}

/**
 * The warm-up of a new instance: `requests` GETs of the health path answered over
 * `connections` keep-alive connections, before it takes traffic (DEFAULT_WARMUP_REQUESTS says
 * why). Each request is what the router would forward (its header lines, X-Forwarded-* and a
 * request id), and each connection gives way to a new one every
 * WARMUP_REQUESTS_PER_CONNECTION: V8 optimises for the shapes it has seen, and traffic unlike
 * the warm-up's throws that code away at the first real request. The answers are not judged
 * (the gate does that). A request that fails or outlasts the health timeout is not counted,
 * and its connection tries again after WARMUP_RETRY_MS: a booting instance runs at a low
 * priority, and on a busy host it may answer late while working. It stops at `deadline`, or
 * when `signal` aborts (the gate failed). Returns how many were answered.
 *
 * The client is the router's own (upstream-pool.ts): node:http's client spent ~270 us of
 * CPU per warm-up request (~100 us with this one, ~55 us once warm), at normal priority,
 * next to an instance that warms up at a low one. Sent from a process of its own at batch
 * priority instead (a probe, not kept), rolling deploys under load did no better: p99 1.50×
 * of steady state against 1.45× from the daemon, ten deploys each.
 */
export async function warmUp(port: number, health: HealthSpec, requests: number, deadline: number, o: WarmUpOptions = {}): Promise<number> {
  const { now = Date.now, signal, connections = WARMUP_CONNECTIONS } = o;
  const client = ['Host', `127.0.0.1:${port}`, 'User-Agent', 'wharf-warmup'];
  const head = (): string => `GET ${health.path} HTTP/1.1\r\n${upstreamRequestHeaders(client, { clientIp: '127.0.0.1', proto: 'http', requestId: requestIdOf(undefined) })}\r\n`;
  const going = (): boolean => now() < deadline && signal?.aborted !== true;
  let unanswered = requests;
  let answered = 0;
  const connection = async () => {
    let pool = new UpstreamPool('127.0.0.1', port);
    let carried = 0;
    try {
      while (unanswered > 0 && going()) {
        unanswered--;
        if (await exchange(pool, head(), Math.max(1, Math.min(health.timeout, deadline - now())))) {
          answered++;
          if (++carried % WARMUP_REQUESTS_PER_CONNECTION === 0) {
            pool.destroy();
            pool = new UpstreamPool('127.0.0.1', port);
          }
        } else {
          unanswered++;
          // The pause ends at the deadline too: a warm rollback's switch waits for the warm-up,
          // and a request cut short by the deadline would otherwise hold it WARMUP_RETRY_MS more.
          if (going()) await new Promise((r) => setTimeout(r, Math.min(WARMUP_RETRY_MS, deadline - now())));
        }
      }
    } finally {
      pool.destroy();
    }
  };
  await Promise.all(Array.from({ length: connections }, connection));
  return answered;
}

/**
 * The health gate (DESIGN.md): probes every `interval`, and passes after
 * `healthy_threshold` consecutive passes. Resolves `{ passed: false }` with the last result
 * if the deadline comes first, or when `stillWanted` says the instance is gone. `onPass` is
 * told of each probe that passes, before the gate waits for the next.
 */
export async function passHealthGate(
  port: number,
  health: HealthSpec,
  deadline: number,
  stillWanted: () => boolean,
  now: () => number = Date.now,
  onPass?: () => void,
): Promise<{ passed: boolean; last: ProbeResult | undefined }> {
  let streak = 0;
  let last: ProbeResult | undefined;
  while (now() < deadline && stillWanted()) {
    last = await probe(port, health.path, Math.min(health.timeout, Math.max(1, deadline - now())));
    streak = last.passed ? streak + 1 : 0;
    if (last.passed) onPass?.();
    if (streak >= health.healthy_threshold) return { passed: true, last };
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(health.interval, deadline - now()))));
  }
  return { passed: false, last };
}
