/** Builders of route tables for tests and benchmarks. */
import type { Route, Table } from '../table.js';

export interface GroupSpec {
  release: string;
  weight: number;
  ports: number[];
  /** Instance ids to mark draining. */
  draining?: string[];
}

/** A route whose instances are `<release>-<n>` on 127.0.0.1, health checked fast (50 ms) unless overridden. */
export function route(id: string, host: string, groups: GroupSpec[], extra: Partial<Route> = {}): Route {
  return {
    id,
    hosts: [host],
    health: { intervalMs: 50, timeoutMs: 500 },
    groups: groups.map((g) => ({
      release: g.release,
      weight: g.weight,
      instances: g.ports.map((port, i) => {
        const id = `${g.release}-${i}`;
        return { id, host: '127.0.0.1', port, ...(g.draining?.includes(id) ? { draining: true } : {}) };
      }),
    })),
    ...extra,
  };
}

export function table(generation: number, ...routes: Route[]): Table {
  return { generation, routes };
}
