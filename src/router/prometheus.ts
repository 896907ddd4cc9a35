/**
 * Prometheus text exposition (format 0.0.4) of a metrics snapshot, for `GET /metrics` on
 * the router's metrics port. Latency is exported as a summary over the last 60 s.
 */
import type { Figures } from './stats.js';
import type { MetricsSnapshot } from './metrics.js';

type Labels = Record<string, string>;

/** Label values escape backslash, double quote and newline (exposition format spec). */
function labelText(l: Labels): string {
  if (Object.keys(l).length === 0) return '';
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

export function renderPrometheus(s: MetricsSnapshot): string {
  const lines: string[] = [];
  const series = new Map<string, string[]>();
  const help: Record<string, [string, string]> = {
    wharf_router_requests_total: ['counter', 'Requests finished, by status class.'],
    wharf_router_in_flight: ['gauge', 'Requests in flight.'],
    wharf_router_retries_total: ['counter', 'Attempts retried on another instance.'],
    wharf_router_ejections_total: ['counter', 'Passive ejections.'],
    wharf_router_latency_seconds: ['summary', 'Request latency over the last 60 s.'],
    wharf_router_instance_healthy: ['gauge', '1 when the active health check passes.'],
    wharf_router_instance_ejected: ['gauge', '1 while passively ejected.'],
    wharf_router_unrouted_total: ['counter', 'Requests that matched no route.'],
    wharf_router_table_generation: ['gauge', 'Generation of the route table in use.'],
  };
  const add = (name: string, labels: Labels, value: number): void => {
    const list = series.get(name) ?? [];
    list.push(`${name}${labelText(labels)} ${value}`);
    series.set(name, list);
  };
  const figures = (l: Labels, f: Figures): void => {
    for (const [cls, n] of Object.entries(f.requests)) add('wharf_router_requests_total', { ...l, class: cls }, n);
    add('wharf_router_in_flight', l, f.inFlight);
    add('wharf_router_retries_total', l, f.retries);
    add('wharf_router_ejections_total', l, f.ejections);
    const q = f.latencyMs['60s'];
    for (const [k, v] of [['0.5', q.p50], ['0.9', q.p90], ['0.99', q.p99]] as const) {
      add('wharf_router_latency_seconds', { ...l, quantile: k }, v / 1000);
    }
  };
  add('wharf_router_unrouted_total', {}, s.unrouted);
  add('wharf_router_table_generation', {}, s.generation);
  for (const r of s.routes) {
    figures({ route: r.id, level: 'route' }, r);
    for (const g of r.groups) {
      figures({ route: r.id, release: g.release, level: 'group' }, g);
      for (const i of g.instances) {
        const l = { route: r.id, release: g.release, instance: i.id, level: 'instance' };
        figures(l, i);
        add('wharf_router_instance_healthy', l, i.health === 'healthy' ? 1 : 0);
        add('wharf_router_instance_ejected', l, i.ejected ? 1 : 0);
      }
    }
  }
  for (const [name, list] of series) {
    const [type, text] = help[name]!;
    lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`, ...list);
  }
  return lines.join('\n') + '\n';
}
