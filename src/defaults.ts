/**
 * Wharf's defaults, named once and reused by the spec schema, the flags, the daemon,
 * the router and the tests. Durations are in milliseconds, sizes in bytes.
 *
 * Where a value comes from another system's experience, the comment says which.
 */

/** The environment an app gets when its spec declares none (Heroku apps have one). */
export const DEFAULT_ENVIRONMENT = 'production';

/** Apex of the hostnames that need no DNS: `<service>.<env>.<app>.localhost` (RFC 6761 §6.3). */
export const DEFAULT_HOST_SUFFIX = 'localhost';

// Health gate (DESIGN.md): GET every 1 s, 2 s timeout, live after 2 passes, out after 3 failures.
export const DEFAULT_HEALTH_PATH = '/healthz';
export const DEFAULT_HEALTH_INTERVAL_MS = 1_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;
export const DEFAULT_HEALTHY_THRESHOLD = 2;
export const DEFAULT_UNHEALTHY_THRESHOLD = 3;

// Rollouts.
export const DEFAULT_DEPLOY_TIMEOUT_MS = 60_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** Previous release kept running at weight 0 after promotion, so rollback is a table switch. */
export const DEFAULT_WARM_WINDOW_MS = 10 * 60_000;
/**
 * Requests a new web instance answers on its health path before it takes traffic. A cold
 * Node process serves its first few thousand requests at up to twice the CPU while V8
 * compiles the hot path, much of it on background threads, and a release switched onto cold
 * instances put that in users' p99. bench/deploy/cold-instance.mjs, the example server's CPU
 * in its first 3 s of router-shaped traffic (~250 ms once warm): 490 ms cold, 498 after 300
 * requests over 2 connections (the old default), 402 after 2,000 over WARMUP_CONNECTIONS,
 * and 382 after 3,000, which take 20 % longer. Rolling deploys under load (bench/deploy/
 * ab.mjs, 10 each, both over 8 connections): p99 1.65× of steady state with 300, 1.45× with
 * 2,000. It runs while the gate waits for its next probe (fleet.ts), so it adds nothing to
 * the time to 100 % new (2.64 s and 2.62 s).
 */
export const DEFAULT_WARMUP_REQUESTS = 2_000;
/** Niceness of builds, pipeline stages and release commands (src/runtime/priority.ts); instances serve at 0. */
export const BATCH_NICENESS = 10;
/**
 * Niceness of a new web instance's session while it boots and warms up, until its health
 * gate passes (src/runtime/priority.ts): it takes no traffic yet, and on a busy machine its
 * start-up must not take CPU from the instances and the router that do. Scale from zero,
 * with requests waiting for the instance, boots at 0.
 */
export const BOOT_NICENESS = 10;
/**
 * Longest a lowered process (batch work, a booting instance) stays in the idle CPU group
 * (src/runtime/cpu-idle-group.ts) before it keeps only its session's niceness. The group
 * yields to every other runnable task: on a host whose CPUs are all busy, what is in it runs
 * hardly at all. With two busy loops on this 2-core host, two instances booting there did not
 * pass an 8 s health gate; at session niceness 10 such an instance still gets about a tenth
 * of a CPU. Three seconds cover the boot, gate and warm-up of the example app (1.3 s under
 * half load, bench/deploy), so that on a host with CPU to spare nothing changes.
 */
export const IDLE_GROUP_MAX_MS = 3_000;
/**
 * Keep-alive connections a warm-up uses, as the router's traffic comes over several:
 * 2,000 requests over 2 left the server 451 ms of CPU in its first 3 s of traffic, over 8
 * 402 ms, over 16 or 32 the same (bench/deploy/cold-instance.mjs).
 */
export const WARMUP_CONNECTIONS = 8;
/**
 * Requests a warm-up connection carries before it is closed and another opened, as the
 * router's connections come and go. Kept open throughout, the warm-up's connections closed
 * only at its end: the instance then ran its close path for the first time and threw away
 * optimised code of its stream and HTTP path ("wrong map"), and again at the first real
 * connections. With new connections every 50 and the router's header lines, the example
 * server's CPU in its first 3 s of traffic went from 373 to 312 ms (~255 warm) and the
 * functions optimised during them from 33 to 21 (4 runs each, under V8's tracing).
 */
export const WARMUP_REQUESTS_PER_CONNECTION = 50;
/**
 * Longest a warm rollback warms its release up again before the switch (fleet.rewarm): a
 * warm rollback promises traffic back within a second (issue 5), and its warm-up gets what
 * the rest leaves. Under the deploy bench's load, 2,000 requests per instance of the example
 * app at boot priority took 300-1,100 ms.
 */
export const REWARM_MAX_MS = 600;
/**
 * A warm rollback promises traffic back on its release within a second of the command (issue
 * 5), counted from when the operator issued it: the client says how long it had run when it
 * asked, and the re-warm ends in time for the switch. Under the deploy bench's load the CLI
 * took 150-320 ms to send its request.
 */
export const WARM_ROLLBACK_BUDGET_MS = 1_000;
/**
 * What a warm rollback keeps of its budget for the switch after the re-warm: raising the
 * instances' priority, two store writes and the table push took 4-12 ms, and the re-warm's
 * own end up to 40 ms more (bench/deploy).
 */
export const WARM_ROLLBACK_SWITCH_MS = 100;
/** Pause of a warm-up connection after a request that failed, before it sends the next. */
export const WARMUP_RETRY_MS = 100;
export const DEFAULT_CANARY_STEPS: readonly number[] = [5, 25, 50, 100];
export const DEFAULT_CANARY_HOLD_MS = 30_000;
export const DEFAULT_CANARY_MIN_REQUESTS = 50;
/** Canary fails when its 5xx share exceeds the stable one's by this many percentage points. */
export const DEFAULT_CANARY_MAX_ERROR_RATE_INCREASE = 1;
/** Canary fails when its p99 exceeds the stable one's by this factor. */
export const DEFAULT_CANARY_MAX_P99_RATIO = 1.5;
/**
 * How long the new web instances of a rolling step serve next to the old ones before an old
 * one drains, and how long a blue-green switch is watched before the deploy is done
 * (Kubernetes' minReadySeconds, which defaults to 0). An instance that passes its health
 * gate and then crashes or turns unhealthy on real traffic within it fails the rollout while
 * every old instance still runs, so the rollback is a switch of the router's table. Without
 * it, such a release drains an old instance per step and ends up serving all the traffic
 * before anything notices. A second catches what breaks on its first requests under any real
 * traffic; what breaks later, or on rare requests, is the canary's job. It costs that second
 * per rolling step: the example's rolling deploy under load reaches 100 % new in 4.6 s, not
 * 2.6 s. Its p99 during the deploy falls from 1.50× of steady to 1.36× (bench/deploy/ab.mjs,
 * 20 a side), but only because the same slow answers then make a smaller share of a longer
 * deploy: it slows no fewer requests (bench/RESULTS.md, the deploy's thirteenth pass).
 */
export const DEFAULT_MIN_READY_MS = 1_000;
export const DEFAULT_ROLLING_MAX_SURGE = 1;
export const DEFAULT_ROLLING_MAX_UNAVAILABLE = 0;
/**
 * A new worker (no routes, no health path) must keep running this long without a restart
 * before the old ones stop: the liveness gate that catches a release crashing at boot.
 */
export const DEFAULT_WORKER_LIVENESS_MS = 2_000;
/** How often the daemon stops instances of releases whose warm window has passed. */
export const DEFAULT_WARM_REAPER_INTERVAL_MS = 5_000;
/** Cookie that keeps a client on the release group it first got, for sticky canaries. */
export const DEFAULT_CANARY_STICKY_COOKIE = 'wharf_release';

// Autoscaling: scale up fast, down slowly (the Kubernetes HPA's 300 s stabilisation window).
export const DEFAULT_AUTOSCALE_SCALE_DOWN_WINDOW_MS = 300_000;
export const DEFAULT_AUTOSCALE_PANIC_THRESHOLD = 2;
export const DEFAULT_AUTOSCALE_TOLERANCE = 0.1;
/**
 * A `min: 0` service stops after this long without a request (every target asking for
 * zero). The same five minutes as any scale-down: an app that idles for less keeps its
 * instance warm, and the next request pays no boot time.
 */
export const DEFAULT_AUTOSCALE_IDLE_WINDOW_MS = 300_000;
/** Longest the router holds a request for a service at zero while its first instance starts (issue 6: at most 30 s). */
export const DEFAULT_ROUTER_HOLD_TIMEOUT_MS = 30_000;
/** Requests the router holds per route while its service scales from zero; beyond that it answers 503 with Retry-After. */
export const DEFAULT_ROUTER_HOLD_QUEUE_SIZE = 1_000;
/** Router figures older than this are a gap for the autoscaler (the router is not answering), not a reading. */
export const DEFAULT_AUTOSCALE_STALE_FIGURES_MS = 3_000;
/** How often the autoscaler looks for live releases with autoscaled services again (their counts and figures it reads every second). */
export const DEFAULT_AUTOSCALE_RELEASES_REFRESH_MS = 5_000;
/** Decisions the autoscaler keeps per service for `wharf autoscale status` (holds included). */
export const DEFAULT_AUTOSCALE_STATUS_DECISIONS = 20;

// Instances.
export const DEFAULT_INSTANCES = 1;

// Router: passive ejection after 5 consecutive failures (Envoy's outlier detection default).
export const DEFAULT_EJECT_CONSECUTIVE_FAILURES = 5;
export const DEFAULT_EJECT_BASE_MS = 30_000;
export const DEFAULT_EJECT_MAX_MS = 300_000;

// Control plane.
/** Largest request body the control API accepts, before answering 413. */
export const DEFAULT_API_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_DATA_DIR_NAME = '.wharf';
export const DEFAULT_API_PORT = 7070;
export const DEFAULT_HTTP_PORT = 8080;

// Router (src/router): limits and timeouts. Values follow nginx/HAProxy practice where noted.
/** Largest request head the router reads before answering 431 (Node's and Go's default is 16 KiB). */
export const DEFAULT_ROUTER_MAX_HEADER_BYTES = 16 * 1024;
/** Time a client has to send a complete request head (slowloris guard; nginx's client_header_timeout is 60 s). */
export const DEFAULT_ROUTER_HEADER_TIMEOUT_MS = 10_000;
/** Idle time after which a client keep-alive connection is closed (nginx: 75 s; shorter holds fewer idle sockets). */
export const DEFAULT_ROUTER_KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Time to open a connection to an instance before it counts as a connection failure (HAProxy `timeout connect`). */
export const DEFAULT_ROUTER_CONNECT_TIMEOUT_MS = 5_000;
/** Time an instance has to start its response before the router answers 504 (nginx proxy_read_timeout: 60 s). */
export const DEFAULT_ROUTER_RESPONSE_TIMEOUT_MS = 60_000;
/** Requests in flight per instance before new ones queue (0 = no limit). */
export const DEFAULT_ROUTER_MAX_IN_FLIGHT_PER_INSTANCE = 0;
/** Requests a route may hold waiting for a free instance before it answers 503. */
export const DEFAULT_ROUTER_QUEUE_SIZE = 100;
/** Longest a request waits in the queue before it is answered 503. */
export const DEFAULT_ROUTER_QUEUE_TIMEOUT_MS = 5_000;
/** `Retry-After` seconds on a 503 caused by overload (RFC 9110 §10.2.3). */
export const DEFAULT_ROUTER_RETRY_AFTER_S = 1;
/** Longest an old router process drains after a hand-off restart before it exits. */
export const DEFAULT_ROUTER_HANDOFF_DRAIN_MS = 30_000;

// Builds (src/build).
/** Builds kept per app by garbage collection, besides any a running or warm release uses (Heroku keeps a few slugs for rollback). */
export const DEFAULT_BUILDS_KEEP = 5;
/** Lines of build output a BUILD_FAILED error carries, so the cause is shown without opening the log. */
export const DEFAULT_BUILD_FAILURE_TAIL_LINES = 20;

// Runtime (src/runtime): supervision and logs.
/** First restart delay after a crash; doubles per consecutive crash (Kubernetes starts at 10 s; apps here restart cheaply). */
export const DEFAULT_RESTART_BASE_MS = 1_000;
/** Longest restart delay: Kubernetes' CrashLoopBackOff cap of five minutes. */
export const DEFAULT_RESTART_MAX_MS = 300_000;
/** Consecutive early crashes after which the instance shows as `crash-loop`. */
export const DEFAULT_CRASH_LOOP_THRESHOLD = 3;
/** A process that ran this long before exiting resets the crash count (it was not looping). */
export const DEFAULT_RESTART_STABLE_MS = 60_000;
/** CPU and RSS sampling period per instance, also the RSS memory-limit check period. */
export const DEFAULT_RUNTIME_SAMPLE_MS = 1_000;
/** Rotated instance log: size of one file and number of files kept (Docker json-file's max-size/max-file). */
export const DEFAULT_LOG_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_FILES = 5;
/** The unprivileged user instances run as when the daemon runs as root. */
export const DEFAULT_APP_USER = 'wharf-app';

// State store (src/state).
/** The embedded SQLite state file inside the data dir (mode 0600). */
export const DEFAULT_STATE_FILE_NAME = 'state.db';
/**
 * How long a state write waits for another process's write transaction to finish before
 * failing with SQLITE_BUSY. Writes are short (one record set each), so 5 s only runs out
 * when a process is stuck holding the file (better-sqlite3's default is also 5 s).
 */
export const DEFAULT_STATE_BUSY_TIMEOUT_MS = 5_000;

// Control API streams (src/daemon/http/sse.ts, src/client/transport-stream.ts).
/** Comment line sent on an idle event stream so proxies and NATs keep it open (WHATWG HTML §9.2.7 suggests ~15 s). */
export const DEFAULT_SSE_HEARTBEAT_MS = 15_000;
/** Reconnection delay a client starts with, and that the server announces in `retry:`. */
export const DEFAULT_SSE_RETRY_MS = 1_000;
/** Longest reconnection delay after repeated failures (the client doubles the delay up to this). */
export const DEFAULT_SSE_MAX_RETRY_MS = 30_000;
/** Unsent bytes a slow stream reader may leave queued before the server drops it; it resumes by Last-Event-ID. */
export const DEFAULT_SSE_MAX_BUFFERED_BYTES = 1024 * 1024;

// Runtime (src/runtime): instance ports.
/**
 * Ports handed to instances as PORT: below Linux's ephemeral range (32768–60999 by default,
 * net.ipv4.ip_local_port_range), so outgoing connections never take an instance's port.
 */
export const DEFAULT_INSTANCE_PORT_FIRST = 20_000;
export const DEFAULT_INSTANCE_PORT_LAST = 29_999;

// Canary analysis (src/deploy/analysis.ts).
/**
 * How often a rollout judges a canary step; each judgement is one window. With
 * DEFAULT_CANARY_FAILURE_WINDOWS this aborts a plainly bad canary in about 15 s once it has
 * its minimum of requests (issue 5's goal is 20 s; Flagger's default takes 60 s).
 */
export const DEFAULT_CANARY_ANALYSIS_INTERVAL_MS = 5_000;
/** Bad windows in a row before a canary step fails, so one noisy reading does not abort a release (Flagger's `threshold`). */
export const DEFAULT_CANARY_FAILURE_WINDOWS = 3;
/** Latency samples each release needs before p99s are compared: with fewer than 100, the 99th percentile is the single slowest request. */
export const DEFAULT_CANARY_P99_MIN_SAMPLES = 100;
/**
 * p99s below this are compared as this. Measured here: a fresh Node instance (cold JIT) on a
 * busy 2-core host had a p99 of 9.5 ms against its stable twin's 4.4 ms — the same code;
 * tails of a few milliseconds differ by scheduling, not by the release. A canary is failed
 * for latency only once its p99 passes max_p99_ratio × 25 ms.
 */
export const DEFAULT_CANARY_P99_FLOOR_MS = 25;

// Autoscaling policy (src/autoscale/policy.ts): Knative's two windows, the HPA's scale-down rate.
/** Period of the figures the autoscaler reads (DESIGN.md: the router and instances sampled every second). */
export const DEFAULT_AUTOSCALE_SAMPLE_MS = 1_000;
/** Figures averaged for the steady decision; long enough that per-second noise does not move the count (Knative's stable window). */
export const DEFAULT_AUTOSCALE_STABLE_WINDOW_MS = 60_000;
/** The short window that detects a burst: at panic_threshold × a target over it, panic mode (Knative: 10 % of the stable window). */
export const DEFAULT_AUTOSCALE_PANIC_WINDOW_MS = 6_000;
/** Panic mode ends after this long without a burst; there is no scale-down before (Knative leaves panic after a stable window). */
export const DEFAULT_AUTOSCALE_PANIC_HOLD_MS = 60_000;
/** Scale-down removes at most this share of the count per period, and at least one instance. */
export const DEFAULT_AUTOSCALE_SCALE_DOWN_MAX_RATIO = 0.1;
export const DEFAULT_AUTOSCALE_SCALE_DOWN_PERIOD_MS = 60_000;

// Add-ons (src/addons): the managed PostgreSQL and Redis servers.
/** The unprivileged user the managed servers run as under root (PostgreSQL refuses root); apart from the app user, so apps cannot read the servers' files. */
export const DEFAULT_ADDON_USER = 'wharf-addons';
/** Longest wait for a managed server to accept connections after it is started (pg_ctl's own default is 60 s). */
export const DEFAULT_ADDON_SERVER_START_TIMEOUT_MS = 60_000;
/** How often the daemon checks that the managed servers still run, and starts a dead one again. */
export const DEFAULT_ADDON_SUPERVISE_INTERVAL_MS = 5_000;
/** Bytes of randomness in an add-on's generated password (192 bits, base64url: 32 characters). */
export const DEFAULT_ADDON_PASSWORD_BYTES = 24;
/** The folder of add-on backups inside the data dir. */
export const DEFAULT_BACKUPS_DIR_NAME = 'backups';

// Config and secrets (src/config/).
/** The master key's file in the data dir (0600), unless WHARF_MASTER_KEY gives the key. */
export const DEFAULT_MASTER_KEY_FILE = 'master.key';
/** The environment variable that gives the master key instead of the file (base64 or hex of 32 bytes). */
export const MASTER_KEY_ENV = 'WHARF_MASTER_KEY';
/** Longest config value accepted; an environment variable is not the place for a file. */
export const DEFAULT_CONFIG_VALUE_MAX_BYTES = 32 * 1024;

// Environments (src/envs/).
/** How often the daemon looks for preview environments whose TTL has passed. */
export const DEFAULT_ENV_REAP_INTERVAL_MS = 60_000;

/** App folders whose loaded spec the daemon keeps, so a plan then an apply reads it once. */
export const DEFAULT_APP_CACHE_ENTRIES = 16;

/**
 * Node flags the daemon runs with (`wharf up` starts it so; a service manager running
 * `wharf daemon` should pass them too). A larger young generation: loading and planning a
 * large spec keeps most of what it allocates until the answer is sent, so with V8's default
 * 16 MiB semi-space a first plan of 1,000 services ran ~20 scavenges, each copying a growing
 * live set. With 64 MiB it spends ~15 % less CPU (bench/plan). Memory is committed as used.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
