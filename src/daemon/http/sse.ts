import type { ServerResponse } from 'node:http';
import { DEFAULT_SSE_HEARTBEAT_MS, DEFAULT_SSE_MAX_BUFFERED_BYTES, DEFAULT_SSE_RETRY_MS } from '../../defaults.js';

/**
 * Server-sent events (WHATWG HTML §9.2, "Server-sent events"), server side.
 *
 *   open ──send/comment──▶ open ──close() | client gone | reader too slow──▶ closed
 *
 * A stream is opened on a handler's `ctx.res`; the dispatcher leaves a response whose
 * headers went out to its handler. A reconnecting client sends the last id it saw in
 * `Last-Event-ID` (§9.2.4); the stream exposes it so the handler replays from there
 * (sse-feed.ts does that without a gap).
 */

export interface SseEvent {
  /** Becomes the client's last event id; use the store's increasing event id. */
  id?: string | number;
  /** The event type; the client's default is `message`. */
  event?: string;
  /** A string is sent as is; anything else as JSON. */
  data: unknown;
}

export interface SseStream {
  /** The `Last-Event-ID` the client reconnected with, if any. */
  readonly lastEventId: string | undefined;
  readonly closed: boolean;
  /** Aborted when the stream closes, for whatever reason. */
  readonly signal: AbortSignal;
  /** Returns false, sending nothing, once the stream is closed. */
  send(event: SseEvent): boolean;
  close(): void;
}

export interface SseOptions {
  /** @default DEFAULT_SSE_HEARTBEAT_MS */
  heartbeatMs?: number;
  /** The reconnection delay announced to the client. @default DEFAULT_SSE_RETRY_MS */
  retryMs?: number;
  /** @default DEFAULT_SSE_MAX_BUFFERED_BYTES */
  maxBufferedBytes?: number;
}

export function sse(res: ServerResponse, options: SseOptions = {}): SseStream {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_SSE_HEARTBEAT_MS;
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_SSE_MAX_BUFFERED_BYTES;
  const header = res.req?.headers['last-event-id'];
  const lastEventId = (Array.isArray(header) ? header[0] : header) || undefined;
  const aborter = new AbortController();

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    // nginx buffers responses unless told otherwise; a buffered stream is no stream.
    'x-accel-buffering': 'no',
  });
  res.write(`retry: ${options.retryMs ?? DEFAULT_SSE_RETRY_MS}\n\n`);

  const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();

  const close = (cut = false): void => {
    if (aborter.signal.aborted) return;
    clearInterval(heartbeat);
    aborter.abort();
    if (cut) res.destroy();
    else if (!res.writableEnded) res.end();
  };
  res.on('close', () => close());

  function write(text: string): boolean {
    if (aborter.signal.aborted) return false;
    // A reader that stops reading would make us queue forever: drop it, it resumes by id.
    if (res.writableLength > maxBuffered) {
      close(true);
      return false;
    }
    res.write(text);
    return true;
  }

  return {
    lastEventId,
    get closed() {
      return aborter.signal.aborted;
    },
    signal: aborter.signal,
    send: (event) => write(formatSseEvent(event)),
    close: () => close(),
  };
}

/**
 * One event in the wire format of §9.2.6: a field per line, `data` split at line breaks
 * (the client joins them back with LF), a blank line to dispatch. Line breaks cannot
 * appear in `id` or `event`, and NUL in an id makes clients ignore it: both are refused.
 */
export function formatSseEvent({ id, event, data }: SseEvent): string {
  let out = '';
  if (id !== undefined) out += `id: ${field('id', String(id))}\n`;
  if (event !== undefined) out += `event: ${field('event', event)}\n`;
  const text = typeof data === 'string' ? data : (JSON.stringify(data) ?? 'null');
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

function field(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error(`an SSE ${name} cannot contain CR, LF or NUL: ${JSON.stringify(value)}`);
  return value;
}
