import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SSE_MAX_RETRY_MS, DEFAULT_SSE_RETRY_MS } from '../defaults.js';
import { WharfError } from '../errors.js';
import { errorFromResponse, readBody } from './transport-http.js';
import { type ServerSentEvent, SseParser } from './transport-sse-parser.js';

/**
 * An event stream that survives the daemon going away and coming back (WHATWG HTML §9.2.3:
 * reconnect after the announced `retry:` delay, sending the last id as Last-Event-ID).
 *
 *   connecting ──200 text/event-stream──▶ open ──ends or drops──▶ waiting ──delay──▶ connecting
 *   connecting ──fails──▶ waiting (delay doubles, up to maxRetryMs)    any ──abort──▶ done
 *   connecting ──204──▶ done (the server ended the stream)     ──other answer──▶ rejected
 *
 * The very first connection failing rejects (the CLI then says how to start the daemon);
 * once a stream has been open, failures are a restart in progress and are retried.
 */

export type OpenStream = (lastEventId: string | undefined, signal: AbortSignal) => Promise<IncomingMessage>;

export interface StreamOptions {
  /** @default DEFAULT_SSE_RETRY_MS */
  retryMs?: number;
  /** @default DEFAULT_SSE_MAX_RETRY_MS */
  maxRetryMs?: number;
}

export async function runEventStream(
  open: OpenStream,
  onEvent: (event: ServerSentEvent) => void,
  signal: AbortSignal,
  options: StreamOptions = {},
): Promise<void> {
  const maxRetryMs = options.maxRetryMs ?? DEFAULT_SSE_MAX_RETRY_MS;
  let retryMs = options.retryMs ?? DEFAULT_SSE_RETRY_MS;
  let lastEventId = '';
  let opened = false;
  let failures = 0;

  while (!signal.aborted) {
    let res: IncomingMessage;
    try {
      res = await open(lastEventId === '' ? undefined : lastEventId, signal);
    } catch (e) {
      if (signal.aborted) return;
      if (!opened) throw e;
      failures++;
      await pause(Math.min(retryMs * 2 ** failures, maxRetryMs), signal);
      continue;
    }
    if (res.statusCode === 204) {
      res.resume();
      return;
    }
    if (res.statusCode !== 200) throw errorFromResponse(res.statusCode ?? 500, await readBody(res));
    if (!/^text\/event-stream\b/i.test(res.headers['content-type'] ?? '')) {
      res.destroy();
      throw new WharfError('INTERNAL', `expected an event stream, got "${res.headers['content-type'] ?? ''}"`);
    }
    opened = true;
    failures = 0;
    const parser = new SseParser(lastEventId);
    await consume(res, parser, onEvent);
    lastEventId = parser.lastEventId;
    retryMs = parser.retryMs ?? retryMs;
    await pause(retryMs, signal);
  }
}

/** Reads until the stream ends or drops; only an error thrown by `onEvent` escapes. */
async function consume(res: IncomingMessage, parser: SseParser, onEvent: (e: ServerSentEvent) => void): Promise<void> {
  let failed: { error: unknown } | undefined;
  try {
    for await (const chunk of res) {
      for (const event of parser.push(chunk as Buffer)) {
        try {
          onEvent(event);
        } catch (error) {
          failed = { error };
          res.destroy();
          break;
        }
      }
      if (failed) break;
    }
  } catch {
    // The connection dropped (daemon stopped, network): reconnect from the last id.
  }
  if (failed) throw failed.error;
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the loop's condition ends it.
  }
}
