// A paced load generator on loopback: `rate` requests a second spread over keep-alive
// connections, each answer recorded with its time, latency, status and the release that
// served it (the example app answers with its GREETING, which the bench sets per release).
//
// The bench runs it in a process of its own (LoadProcess): in the process that also starts
// `wharf` commands, every spawn stalled the load generator's event loop for 2-20 ms (fork
// copies the page tables of the whole process), and the stall was measured as the latency of
// every request in flight, at the very start of each case.
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export class PacedLoad {
  /** @param {{ port: number, host: string, rate: number, connections?: number }} o */
  constructor(o) {
    this.o = o;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: o.connections ?? 16 });
    // Answers are kept in columns of numbers, not one object each: a run keeps ~150,000 of
    // them, and as objects they made the load generator's own major GCs (7 ms and growing)
    // show up as latency spikes of the system it measures.
    this.n = 0;
    this.t = new Float64Array(1 << 16);
    this.ms = new Float64Array(1 << 16);
    this.status = new Int16Array(1 << 16);
    /** Index into `bodies`: what served each answer (the greeting, or the error). */
    this.body = new Int32Array(1 << 16);
    this.bodies = [];
    this.bodyIds = new Map();
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
      this.record(at, performance.now() - t0, status, body);
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

  record(t, ms, status, body) {
    if (this.n === this.t.length) {
      for (const k of ['t', 'ms', 'status', 'body']) {
        const grown = new this[k].constructor(this.n * 2);
        grown.set(this[k]);
        this[k] = grown;
      }
    }
    // The example app answers "GREETING (pid N, request K)": the release is what comes before.
    const served = body.split(' (pid')[0];
    let id = this.bodyIds.get(served);
    if (id === undefined) {
      id = this.bodies.push(served) - 1;
      this.bodyIds.set(served, id);
    }
    const i = this.n++;
    this.t[i] = t;
    this.ms[i] = ms;
    this.status[i] = status;
    this.body[i] = id;
  }

  async stop() {
    this.running = false;
    while (this.inflight > 0) await new Promise((r) => setTimeout(r, 10));
    this.agent.destroy();
  }

  /**
   * Answers to requests started in [from, to), in the order they came back, as
   * `{ t, ms, status, body }` with `body` the greeting (or error) before " (pid".
   */
  between(from, to) {
    const out = [];
    for (let i = 0; i < this.n; i++) {
      if (this.t[i] >= from && this.t[i] < to) out.push({ t: this.t[i], ms: this.ms[i], status: this.status[i], body: this.bodies[this.body[i]] });
    }
    return out;
  }
}

/**
 * A PacedLoad in a child process, in a session of its own (so that it shares no scheduling
 * group with the bench, see bench/runtime/wharf.mjs), driven over IPC.
 *
 * `realtime`: its event loop runs at SCHED_FIFO (chrt; needs root). The load generator
 * stands for users on other machines, whose requests a deploy on this one cannot hold up
 * before they are sent or after they are answered. In the normal class, on the same 2 CPUs
 * as the deploy, its own waits for a CPU are measured as the latency of the system: with the
 * router at SCHED_FIFO, 6 rolling deploys saw 106 answers over 3 ms through a client at
 * SCHED_FIFO and 693 through one in the normal class, with the same p99 at steady state
 * (bench/deploy/cpu-class.mjs; bench/RESULTS.md, "Deploy, sixth pass"). The benches run it
 * so by default and say so; `--client normal` runs it as an ordinary process.
 */
export class LoadProcess {
  /** @param {{ port: number, host: string, rate: number, connections?: number, realtime?: boolean }} o */
  static async start(o) {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const load = new LoadProcess(child);
    if (o.realtime) await load.setRealtime(true);
    await load.ask({ op: 'start', o });
    return load;
  }

  /** Puts the load generator's event loop in SCHED_FIFO, or back in the normal class, as Wharf does the router's. */
  async setRealtime(realtime) {
    const { setRealtime } = await import(new URL('../../dist/runtime/realtime.js', import.meta.url).href);
    const outcome = await setRealtime(this.child.pid, realtime);
    if (!outcome.ok) throw new Error(`the load generator cannot run ${realtime ? 'real-time' : 'in the normal class'}: ${outcome.reason} (run the bench as root, or with --client normal)`);
  }

  constructor(child) {
    this.child = child;
    this.next = 0;
    this.waiting = new Map();
    child.on('message', (m) => {
      this.waiting.get(m.id)?.resolve(m.value);
      this.waiting.delete(m.id);
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the load generator exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  ask(message) {
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...message, id });
    });
  }

  /** Answers to requests started in [from, to): see PacedLoad.between. */
  between(from, to) {
    return this.ask({ op: 'between', from, to });
  }

  /** Stops the load, waits for the requests in flight, and ends the process. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.ask({ op: 'stop' }).catch(() => {});
    await exited;
  }
}

if (process.argv[2] === '--child' && process.send) {
  let load;
  process.on('message', async (m) => {
    let value;
    if (m.op === 'start') {
      load = new PacedLoad(m.o);
      load.start();
    } else if (m.op === 'between') {
      value = load.between(m.from, m.to ?? Infinity);
    } else if (m.op === 'stop') {
      await load?.stop();
      process.send({ id: m.id }, () => process.disconnect());
      return;
    }
    process.send({ id: m.id, value });
  });
  // The bench gone (killed, crashed): stop too, rather than load the machine for nobody.
  process.on('disconnect', () => process.exit(0));
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

/**
 * How many of `samples` took longer than `steadyP99` beyond the 1 % that do in steady state:
 * the requests a deploy slowed. A p99 over a window is diluted by a longer window of calm;
 * this count is not.
 */
export function excessSlow(samples, steadyP99) {
  return Math.round(samples.filter((s) => s.ms > steadyP99).length - samples.length / 100);
}

export function p99(samples) {
  const xs = samples.map((s) => s.ms).sort((a, b) => a - b);
  return xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] : undefined;
}
