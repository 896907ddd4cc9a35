import type { FeedEvent } from './http/index.js';
import type { Store } from '../state/store.js';
import type { EventRecord } from '../state/types.js';

type Listener = (event: EventRecord) => void;

/**
 * Tells subscribers (event streams) about events as they are recorded. It observes the
 * store's writes instead of polling: after each write that can add events, it reads the
 * ones it has not yet delivered, in id order, and hands them to every listener.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private lastId = 0;
  private pending: Promise<void> = Promise.resolve();

  private constructor(private readonly store: Store) {}

  static async create(store: Store): Promise<EventHub> {
    const hub = new EventHub(store);
    hub.lastId = (await store.listEvents({ limit: 1 }))[0]?.id ?? 0;
    return hub;
  }

  /** The store to give writers: the same store, whose event-writing calls notify the hub. */
  observe(store: Store): Store {
    return new Proxy(store, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop !== 'commit' && prop !== 'appendEvent') return value.bind(target);
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          this.poke();
          return result;
        };
      },
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits until every event recorded so far has been delivered. */
  settled(): Promise<void> {
    return this.pending;
  }

  private poke(): void {
    this.pending = this.pending.then(async () => {
      if (this.listeners.size === 0) {
        this.lastId = (await this.store.listEvents({ limit: 1 }))[0]?.id ?? this.lastId;
        return;
      }
      for (const event of await this.store.listEvents({ afterId: this.lastId })) {
        this.lastId = event.id;
        for (const listener of this.listeners) listener(event);
      }
    }).catch(() => undefined);
  }
}

export function toFeedEvent(e: EventRecord): FeedEvent {
  return { id: e.id, event: e.kind, data: JSON.stringify(e) };
}
