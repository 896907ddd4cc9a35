// A paced load generator on loopback: `rate` requests a second spread over keep-alive
// connections, each answer recorded with its time, latency, status and the release that
// served it (the example app answers with its GREETING, which the bench sets per release).
import http from 'node:http';

export class PacedLoad {
  /** @param {{ port: number, host: string, rate: number, connections?: number }} o */
  constructor(o) {
    this.o = o;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: o.connections ?? 16 });
    /** @type {{ t: number, ms: number, status: number, body: string }[]} */
    this.samples = [];
    this.running = false;
    this.inflight = 0;
  }

  start() {
    this.running = true;
    const period = 1000 / this.o.rate;
    let next = performance.now();
    const tick = () => {
      if (!this.running) return;
      const now = performance.now();
      // Catch up on what a busy event loop delayed, but never fire more than 50 at once.
      let n = 0;
      while (next <= now && n < 50) {
        this.one();
        next += period;
        n++;
      }
      if (next < now) next = now;
      setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  }

  one() {
    const t0 = performance.now();
    const at = Date.now();
    this.inflight++;
    const done = (status, body) => {
      this.inflight--;
      this.samples.push({ t: at, ms: performance.now() - t0, status, body });
    };
    http
      .get({ host: '127.0.0.1', port: this.o.port, path: '/', agent: this.agent, headers: { host: this.o.host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => done(res.statusCode, body));
      })
      .on('error', (e) => done(0, e.code ?? e.message));
  }

  async stop() {
    this.running = false;
    while (this.inflight > 0) await new Promise((r) => setTimeout(r, 10));
    this.agent.destroy();
  }

  /** Samples whose request started in [from, to). */
  between(from, to) {
    return this.samples.filter((s) => s.t >= from && s.t < to);
  }
}

/** Closed-loop maximum: `connections` clients as fast as they go for `seconds`; answers per second. */
export async function capacity({ port, host, connections = 16, seconds = 4 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let ok = 0;
  const end = Date.now() + seconds * 1000;
  const loop = async () => {
    while (Date.now() < end) {
      await new Promise((resolve) => {
        http.get({ host: '127.0.0.1', port, path: '/', agent, headers: { host } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 && ok++, resolve()));
        }).on('error', resolve);
      });
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  agent.destroy();
  return ok / seconds;
}

export function p99(samples) {
  const xs = samples.map((s) => s.ms).sort((a, b) => a - b);
  return xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] : undefined;
}
