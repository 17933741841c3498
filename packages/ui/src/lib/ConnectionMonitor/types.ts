import type { Snippet } from 'svelte';
import type { HTMLAttributes } from 'svelte/elements';
import type { ConnectionPool, PoolConnectionSnapshot } from '@wirekit/core';
import type { ReactivePoolMonitor } from '@wirekit/svelte';
import type { ConnectionMonitorLabels } from '../labels/monitor.js';

/** The monitor surface the overlay reads: a `usePoolMonitor()` result or anything shaped like it. */
export type PoolMonitorLike = Pick<
  ReactivePoolMonitor,
  'connections' | 'leases' | 'listeners' | 'timers' | 'memory'
>;

/** A corner of the viewport. */
export type MonitorPosition = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** Props of `ConnectionMonitor`. */
export interface ConnectionMonitorProps extends Omit<
  HTMLAttributes<HTMLElement>,
  'children' | 'title'
> {
  /** What to show. @default usePoolMonitor(pool) */
  monitor?: PoolMonitorLike;
  /** Pool of the default monitor. @default getPool() */
  pool?: ConnectionPool;
  /** Renders even outside dev (`DEV` from `esm-env`), e.g. on a staging build. @default false */
  force?: boolean;
  /** Viewport corner of the overlay. @default 'bottom-right' */
  position?: MonitorPosition;
  /** Whether only the summary bar is shown. Bindable. @default false */
  collapsed?: boolean;
  /** The root element. Bindable. @default null */
  ref?: HTMLElement | null;
  /** Texts. Partial sets are merged over English. @default the context set (`setLabels`) or English */
  labels?: Partial<ConnectionMonitorLabels>;
  /** Renders one connection's details instead of the default. */
  connection?: Snippet<[PoolConnectionSnapshot, { now: number }]>;
}
