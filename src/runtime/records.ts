/**
 * Between the driver's view and the store's records: what the daemon writes on every
 * transition, and what it hands back to `recover()` after a restart. Types only from the
 * state module; the runtime never touches the store itself.
 */
import type { InstanceRecord } from '../state/types.js';
import type { InstanceSpec, InstanceStatus, RecordedInstance } from './driver.js';

/** The store record of an instance as the driver now sees it. */
export function toInstanceRecord(spec: InstanceSpec, status: InstanceStatus, createdAt: number, now: number): InstanceRecord {
  return {
    id: spec.id,
    app: spec.app,
    env: spec.env,
    service: spec.service,
    release: spec.release,
    state: status.state,
    pid: status.pid,
    pidStartTime: status.pidStartTime,
    port: status.port,
    restarts: status.restarts,
    reason: status.reason,
    createdAt,
    updatedAt: now,
  };
}

/** What `recover()` needs from a stored record, given the spec rebuilt from its release. */
export function toRecordedInstance(record: InstanceRecord, spec: InstanceSpec): RecordedInstance {
  return { spec, state: record.state, pid: record.pid, pidStartTime: record.pidStartTime, restarts: record.restarts };
}
