import { Agent, request } from 'node:http';
import { WARMUP_CONNECTIONS } from '../defaults.js';
import type { HealthSpec } from '../spec/wharf-schema.js';

export interface ProbeResult {
  passed: boolean;
  /** `200`, `503`, `timeout`, `ECONNREFUSED` … for the reason a gate failed. */
  detail: string;
}

/** One GET of `path` on the instance, settled at the answer's head: its status, or why there was none (`timeout`, `ECONNREFUSED` …). */
function get(port: number, path: string, timeoutMs: number, agent: Agent | false, headers: Record<string, string>): Promise<{ status?: number; detail: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent, timeout: timeoutMs, headers }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ status, detail: String(status) });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ detail: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

/**
 * One health check: GET the path on the instance, with no keep-alive; any 2xx or 3xx passes
 * (the rule the router applies after cut-over too).
 */
export async function probe(port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  const { status, detail } = await get(port, path, timeoutMs, false, { 'user-agent': 'wharf-health-gate', connection: 'close' });
  return { passed: status !== undefined && status >= 200 && status < 400, detail };
}

/**
 * The warm-up of an instance that passed its gate: `requests` GETs of the health path over
 * keep-alive connections, before it takes traffic (DEFAULT_WARMUP_REQUESTS says why). The
 * answers are not judged (the gate has done that); it stops at `deadline`, or at the first
 * request that fails. Returns how many were answered.
 */
export async function warmUp(port: number, health: HealthSpec, requests: number, deadline: number, now: () => number = Date.now): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: WARMUP_CONNECTIONS });
  const one = async () => (await get(port, health.path, health.timeout, agent, { 'user-agent': 'wharf-warmup' })).status !== undefined;
  let sent = 0;
  let answered = 0;
  let broken = false;
  const connection = async () => {
    while (!broken && sent < requests && now() < deadline) {
      sent++;
      if (await one()) answered++;
      else broken = true;
    }
  };
  try {
    await Promise.all(Array.from({ length: WARMUP_CONNECTIONS }, connection));
  } finally {
    agent.destroy();
  }
  return answered;
}

/**
 * The health gate (DESIGN.md): probes every `interval`, and passes after
 * `healthy_threshold` consecutive passes. Resolves `{ passed: false }` with the last result
 * if the deadline comes first, or when `stillWanted` says the instance is gone.
 */
export async function passHealthGate(
  port: number,
  health: HealthSpec,
  deadline: number,
  stillWanted: () => boolean,
  now: () => number = Date.now,
): Promise<{ passed: boolean; last: ProbeResult | undefined }> {
  let streak = 0;
  let last: ProbeResult | undefined;
  while (now() < deadline && stillWanted()) {
    last = await probe(port, health.path, Math.min(health.timeout, Math.max(1, deadline - now())));
    streak = last.passed ? streak + 1 : 0;
    if (streak >= health.healthy_threshold) return { passed: true, last };
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(health.interval, deadline - now()))));
  }
  return { passed: false, last };
}
