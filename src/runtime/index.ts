/**
 * The runtime's public surface: what the daemon (the composition root) wires together.
 * Everything else in this folder is the driver's own business.
 */
export type { Driver, InstanceListener, InstanceSpec, InstanceStatus, RecordedInstance, RecoverResult, StopOptions } from './driver.js';
export { ProcessDriver } from './process-driver.js';
export type { ProcessDriverOptions } from './driver-settings.js';
export { INSTANCE_STATES, LIVE_STATES, isInstanceState, transition, type InstanceState, type LifecycleEvent } from './lifecycle.js';
export { DEFAULT_RESTART_POLICY, decideAfterCrash, nextRestartDelay, type RestartPolicy } from './restart-policy.js';
export { REASON, exitReason } from './exit-reason.js';
export { readLogs, findLogDirs, type LogLine, type LogQuery } from './log-reader.js';
export { followLogs, type FollowOptions } from './log-follow.js';
export { run, type OneOffOptions, type OneOffSpec } from './one-off.js';
export { PortPool, pickPort, canBind, DEFAULT_PORT_RANGE, type PortRange } from './port-pool.js';
export { defaultIdentity, ensureAppUser, type Identity } from './app-user.js';
export { detectCgroupV2, type MemoryCgroups } from './cgroup-memory.js';
export { SAMPLE_CHANNEL_NAME, type InstanceSample } from './group-sampler.js';
export { waitForPort } from './port-probe.js';
export { INSTANCE_ENV } from './spawn-instance.js';
export { toInstanceRecord, toRecordedInstance } from './records.js';
