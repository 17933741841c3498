import { createSubscriber } from 'svelte/reactivity';
import type { ConnectionPool, PoolConnectionSnapshot, PoolSnapshot } from '@wirekit/core';
import { BROWSER } from 'esm-env';
import { resolvePool } from './context.js';

/** JS heap figures from `performance.memory` (Chromium only). */
export interface MemoryInfo {
  /** Bytes in use (`usedJSHeapSize`). */
  readonly used: number;
  /** Bytes allocated (`totalJSHeapSize`). */
  readonly total: number;
  /** Heap size limit (`jsHeapSizeLimit`). */
  readonly limit: number;
}

/** Options of {@link usePoolMonitor}. */
export interface UsePoolMonitorOptions {
  /**
   * Ms between `memory` refreshes while something reads it; a value that is not a positive
   * number (0, NaN) means the default rather than a busy loop. @default 2000
   */
  memoryInterval?: number;
}

interface PerformanceWithMemory {
  memory?: { usedJSHeapSize: number; totalJSHeapSize: number; jsHeapSizeLimit: number };
}

function readMemory(): MemoryInfo | null {
  if (!BROWSER || typeof performance === 'undefined') return null;
  const memory = (performance as PerformanceWithMemory).memory;
  if (!memory) return null;
  return {
    used: memory.usedJSHeapSize,
    total: memory.totalJSHeapSize,
    limit: memory.jsHeapSizeLimit,
  };
}

/**
 * Everything a pool holds, as runes: per-connection snapshots and totals of leases,
 * listeners and timers, plus heap figures where the browser exposes them. It holds no lease
 * and subscribes to the pool only while something reads it, so it needs no dispose.
 */
export class ReactivePoolMonitor {
  readonly #pool: ConnectionPool;
  readonly #trackPool: () => void;
  readonly #trackMemory: () => void;

  constructor(pool?: ConnectionPool, options: UsePoolMonitorOptions = {}) {
    this.#pool = resolvePool(pool);
    this.#trackPool = createSubscriber((update) => this.#pool.subscribe(() => update()));
    const every = options.memoryInterval! > 0 ? options.memoryInterval! : 2_000;
    // The interval exists only while `memory` is read in an effect (createSubscriber start/stop).
    this.#trackMemory = createSubscriber((update) => {
      if (!readMemory()) return;
      const id = setInterval(update, every);
      return () => clearInterval(id);
    });
  }

  /** The pool's current snapshot. */
  get snapshot(): PoolSnapshot {
    this.#trackPool();
    return this.#pool.getSnapshot();
  }

  /** One entry per open connection: its snapshot plus `refCount` and `idleSince`. */
  get connections(): readonly PoolConnectionSnapshot[] {
    return this.snapshot.connections;
  }

  /** Live leases across connections. */
  get leases(): number {
    return this.snapshot.leases;
  }

  /** Live handlers and subscribers across connections. */
  get listeners(): number {
    return this.snapshot.listeners;
  }

  /** Pending timers across connections and the pool's idle timers. */
  get timers(): number {
    return this.snapshot.timers;
  }

  /** Whether the pool was destroyed. */
  get destroyed(): boolean {
    return this.snapshot.destroyed;
  }

  /** `performance.memory` figures in Chromium, else `null` (Firefox, Safari, SSR). */
  get memory(): MemoryInfo | null {
    this.#trackMemory();
    return readMemory();
  }
}

/**
 * A reactive view of a pool for dev overlays and monitors.
 *
 * @param pool @default getPool()
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { usePoolMonitor } from '@wirekit/svelte';
 *   const monitor = usePoolMonitor();
 * </script>
 * {#each monitor.connections as c (c.key)}<p>{c.key}: {c.state} ({c.refCount})</p>{/each}
 * <p>{monitor.listeners} listeners, {monitor.timers} timers</p>
 * ```
 */
export function usePoolMonitor(
  pool?: ConnectionPool,
  options?: UsePoolMonitorOptions,
): ReactivePoolMonitor {
  return new ReactivePoolMonitor(pool, options);
}
