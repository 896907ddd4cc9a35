import type { ResourceKind } from '../state/types.js';

/** The closed vocabulary of plans (Terraform's): what apply will do to one resource. */
export type Op = 'create' | 'update' | 'replace' | 'delete' | 'noop';

/** A resource as the spec wants it. */
export interface DesiredResource {
  kind: ResourceKind;
  name: string;
  /** Plain JSON: what apply records and later plans diff against. */
  body: unknown;
  /** Field paths (dotted, e.g. `env.STRIPE_KEY`) whose values are never shown. */
  sensitive?: string[];
}

export interface DesiredState {
  app: string;
  env: string;
  resources: DesiredResource[];
}

export interface FieldChange {
  /** Path within the resource, e.g. ['health', 'interval'] or ['routes', 0, 'host']. */
  path: (string | number)[];
  /** Absent when the field is added. */
  before?: unknown;
  /** Absent when the field is removed. */
  after?: unknown;
  sensitive?: boolean;
  /** This field cannot change in place; the resource is replaced. */
  forcesReplacement?: boolean;
}

export interface ResourceChange {
  /** `service.web`, `addon.db`. */
  address: string;
  kind: ResourceKind;
  name: string;
  op: Op;
  before?: unknown;
  after?: unknown;
  changes: FieldChange[];
  sensitive: string[];
}

export interface Plan {
  app: string;
  env: string;
  /** The environment has no record yet; apply creates it. */
  createsEnvironment: boolean;
  changes: ResourceChange[];
  summary: { create: number; update: number; replace: number; delete: number };
  /** A digest of the changes, so apply can refuse if the plan a person approved has gone stale. */
  hash: string;
}
