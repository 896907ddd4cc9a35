import { WharfError } from '../errors.js';
import { connectionError, type Endpoint, errorFromResponse, open, readBody, type TransportClient } from './transport-http.js';
import type { ServerSentEvent } from './transport-sse-parser.js';
import { runEventStream, type StreamOptions } from './transport-stream.js';

export type { ServerSentEvent } from './transport-sse-parser.js';
export type { TransportClient } from './transport-http.js';

export type ApiTransportOptions = ({ socketPath: string } | { url: string; token: string }) & {
  /** Sent as X-Wharf-Client, recorded in the audit log. @default 'cli' */
  client?: TransportClient;
} & StreamOptions;

/**
 * The client side of the control API, for the CLI, the dashboard's server and the Slack
 * adapter: JSON requests and event streams, with every failure a WharfError carrying the
 * daemon's own code, message and hint. The typed client (client/) builds on `request`.
 */
export class ApiTransport {
  private readonly endpoint: Endpoint;

  constructor(private readonly options: ApiTransportOptions) {
    const client = options.client ?? 'cli';
    if ('socketPath' in options) {
      this.endpoint = { socketPath: options.socketPath, client };
    } else {
      let url: URL;
      try {
        url = new URL(options.url);
      } catch {
        throw new WharfError('USAGE', `not a URL: ${options.url}`, { hint: 'e.g. http://127.0.0.1:7070' });
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new WharfError('USAGE', `the API URL must be http or https: ${options.url}`);
      }
      this.endpoint = { url, token: options.token, client };
    }
  }

  /** Sends `body` as JSON; resolves with the parsed answer (`undefined` for 204). */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await open(this.endpoint, {
      method,
      path,
      headers: { accept: 'application/json' },
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
      ...(signal === undefined ? {} : { signal }),
    });
    const status = res.statusCode ?? 500;
    let raw: Buffer;
    try {
      raw = await readBody(res);
    } catch (e) {
      throw connectionError(e, this.endpoint); // the daemon went away mid-answer
    }
    if (status >= 400) throw errorFromResponse(status, raw);
    if (raw.length === 0) return undefined as T;
    try {
      return JSON.parse(raw.toString('utf8')) as T;
    } catch (e) {
      throw new WharfError('INTERNAL', `the daemon answered ${method} ${path} with something that is not JSON`, { cause: e });
    }
  }

  /**
   * Sends `body` and reads a streamed answer of newline-delimited JSON (NDJSON), calling
   * `onLine` with each line as it arrives; an error answer throws like `request` does.
   */
  async requestLines(method: string, path: string, body: unknown, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
    const res = await open(this.endpoint, {
      method,
      path,
      headers: { accept: 'application/x-ndjson' },
      body: Buffer.from(JSON.stringify(body)),
      ...(signal === undefined ? {} : { signal }),
    });
    const status = res.statusCode ?? 500;
    if (status >= 400) throw errorFromResponse(status, await readBody(res));
    let partial = '';
    try {
      for await (const chunk of res) {
        const lines = (partial + (chunk as Buffer).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) onLine(line);
      }
    } catch (e) {
      throw connectionError(e, this.endpoint);
    }
    if (partial.trim()) onLine(partial);
  }

  /**
   * Follows the event stream at `path` until `signal` aborts (then resolves), reconnecting
   * from the last event id whenever the connection drops. Rejects if the daemon cannot be
   * reached at first, if it refuses the stream (an error answer), or if `onEvent` throws.
   */
  stream(path: string, onEvent: (event: ServerSentEvent) => void, signal: AbortSignal): Promise<void> {
    return runEventStream(
      (lastEventId, streamSignal) =>
        open(this.endpoint, {
          method: 'GET',
          path,
          headers: { accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
          signal: streamSignal,
        }),
      onEvent,
      signal,
      this.options,
    );
  }
}
