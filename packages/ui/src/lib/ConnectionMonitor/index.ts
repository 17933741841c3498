export { default as ConnectionMonitor } from './ConnectionMonitor.svelte';
export type { ConnectionMonitorProps, MonitorPosition, PoolMonitorLike } from './types.js';
