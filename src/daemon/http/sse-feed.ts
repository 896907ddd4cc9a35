import type { SseEvent, SseStream } from './sse.js';

/** An event with the numeric, strictly increasing id the store assigns (EventRecord.id). */
export interface FeedEvent extends SseEvent {
  id: number;
}

export interface EventFeed {
  /** The recorded events after `afterId` (all of them, or a recent window, when undefined), oldest first. */
  replay(afterId: number | undefined): Promise<readonly FeedEvent[]> | readonly FeedEvent[];
  /** Calls `listener` for every new event until the returned function is called. */
  subscribe(listener: (event: FeedEvent) => void): () => void;
}

/**
 * Sends the events the client missed, then the live ones, with no gap and no repeat.
 * The subscription starts before the replay is read, and what arrives meanwhile is held
 * and sent after it, minus the ids the replay already carried: an event recorded between
 * the replay's query and the subscription is neither lost nor sent twice.
 *
 * Resolves when the stream closes.
 */
export async function pipeFeed(stream: SseStream, feed: EventFeed): Promise<void> {
  let last = parseId(stream.lastEventId);
  let held: FeedEvent[] | undefined = [];
  const deliver = (event: FeedEvent): void => {
    if (last !== undefined && event.id <= last) return;
    last = event.id;
    stream.send(event);
  };
  const unsubscribe = feed.subscribe((event) => (held === undefined ? deliver(event) : held.push(event)));
  try {
    for (const event of await feed.replay(last)) deliver(event);
    const waiting = held;
    held = undefined;
    for (const event of waiting) deliver(event);
    if (!stream.closed) {
      await new Promise<void>((resolve) => stream.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } finally {
    unsubscribe();
  }
}

/** A Last-Event-ID that is not one of ours (another server, a hand-made request) replays from the start. */
function parseId(id: string | undefined): number | undefined {
  if (id === undefined || !/^\d+$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}
