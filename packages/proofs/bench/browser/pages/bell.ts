/**
 * NotificationBell render bench page, driven by bench/browser/ui.ts through `window.benchBell`.
 * Notifications come from a real wirekit server over Socket.IO (`?server=`).
 *
 * A render is one batch of DOM mutations under the component (one MutationObserver callback:
 * every synchronous DOM update of a task lands in one); renders are binned by animation frame.
 */
import { NotificationBell } from '@wirekit/ui';
import { flushSync, mount, unmount } from 'svelte';
import NaiveBell from './NaiveBell.svelte';
import { benchPool } from './bench-pool.js';
import { until } from './wait.js';

const pool = benchPool();
const app = document.getElementById('app') as HTMLElement;

let frame = 0;
const tick = () => {
  frame++;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);

let counting = false;
let renders = 0;
let received = 0;
let startFrame = 0;
let startTime = 0;
const perFrame = new Map<number, number>();
new MutationObserver(() => {
  if (!counting) return;
  renders++;
  perFrame.set(frame, (perFrame.get(frame) ?? 0) + 1);
}).observe(app, { subtree: true, childList: true, attributes: true, characterData: true });

// Our own listener on the same pooled connection: tells when the whole burst has arrived.
const lease = pool.acquire('/');
lease.connection.on('notify:new', () => {
  if (counting) received++;
});

let current: Record<string, unknown> | undefined;

const frameDone = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

const benchBell = {
  async mount(kind: 'bell' | 'naive'): Promise<void> {
    if (current) await unmount(current);
    app.replaceChildren();
    current =
      kind === 'bell'
        ? mount(NotificationBell, { target: app, props: { pool } })
        : mount(NaiveBell, { target: app, props: { pool } });
    flushSync();
    await until('connected', () => lease.connection.getSnapshot().state === 'connected');
    // Let the bell's initial list load settle before counting.
    for (let i = 0; i < 10; i++) await frameDone();
  },

  start(): void {
    renders = 0;
    received = 0;
    perFrame.clear();
    startFrame = frame;
    startTime = performance.now();
    counting = true;
  },

  /** Waits for `expected` notifications, then one more frame, and returns the counts. */
  async finish(expected: number) {
    await until(`${expected} notifications`, () => received >= expected);
    await frameDone();
    await frameDone();
    counting = false;
    const frames = Math.max(1, frame - startFrame);
    let max = 0;
    for (const n of perFrame.values()) max = Math.max(max, n);
    return {
      received,
      renders,
      frames,
      framesWithRenders: perFrame.size,
      maxPerFrame: max,
      elapsed: performance.now() - startTime,
      elements: app.querySelectorAll('*').length,
    };
  },

  async stop(): Promise<void> {
    if (current) await unmount(current);
    current = undefined;
    app.replaceChildren();
  },
};

Object.assign(window, { benchBell });
