/// <reference types="vite/client" />
import { createPool, socketio, type PoolSnapshot } from '@wirekit/core';
import { flushSync, mount, unmount } from 'svelte';
import { expect, inject, it, vi } from 'vitest';
import { cdp } from 'vitest/browser';
import MemoryHarness from '../../test/harness/MemoryHarness.svelte';

// 10,000 by default (issue #8); VITE_WIREKIT_MEMORY_CYCLES lowers it for a quick local look.
const CYCLES = Number(import.meta.env.VITE_WIREKIT_MEMORY_CYCLES ?? 10_000);
/** Every this many cycles, wait for a live session: connected and the chat room joined. */
const LIVE_EVERY = 100;
const serverUrl = inject('memoryServerUrl');

/** Yields one task (not a clamped timer) so socket traffic is handled between cycles. */
const channel = new MessageChannel();
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** Used JS heap after a forced full GC, through the DevTools protocol. */
async function heapAfterGc(): Promise<number> {
  const session = cdp();
  for (let i = 0; i < 3; i++) await session.send('HeapProfiler.collectGarbage');
  const usage = (await session.send('Runtime.getHeapUsage')) as { usedSize: number };
  return usage.usedSize;
}

async function serverSockets(): Promise<number> {
  const res = await fetch(`${serverUrl}/__stats`);
  return ((await res.json()) as { sockets: number }).sockets;
}

it(`${CYCLES} mount/unmount cycles of the three components leave no sockets, listeners, timers or heap growth`, async () => {
  const pool = createPool({
    url: serverUrl,
    transport: socketio(),
    auth: () => 'token-alice',
    heartbeat: false,
    // Short grace: a fast route change keeps the connection, an idle pool closes it quickly.
    idleTimeout: 50,
  });
  const target = document.createElement('div');
  document.body.append(target);
  const heap: { cycles: number; bytes: number }[] = [];
  let released: PoolSnapshot | undefined;
  let live = 0;
  const started = performance.now();

  try {
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const app = mount(MemoryHarness, { target, props: { pool, room: 'memory' } });
      flushSync();
      if (cycle % LIVE_EVERY === 0) {
        await vi.waitFor(
          () => {
            expect(target.querySelector('.wk-chat')?.getAttribute('data-state')).toBe('ready');
            expect(pool.getSnapshot().connections[0]?.state).toBe('connected');
          },
          { timeout: 10_000, interval: 5 },
        );
        live++;
      }
      await unmount(app);
      // Right after the last unmount, inside the idle grace: the connection is still open.
      if (cycle === CYCLES) released = pool.getSnapshot();
      await nextTask();
      // The forced GCs outlast the idle grace, so each thousand starts on a fresh socket.
      if (cycle % 1000 === 0) heap.push({ cycles: cycle, bytes: await heapAfterGc() });
    }
  } finally {
    target.remove();
  }
  const elapsed = performance.now() - started;

  // Nothing the components registered on the still-open connection may remain.
  if (!released) throw new Error('no cycle ran');
  expect(released.connections).toHaveLength(1);
  expect(released.leases).toBe(0);
  expect(released.listeners).toBe(0);
  // Only the pool's idle timer (heartbeat is off, the connection is settled).
  expect(released.timers).toBe(1);

  // After the idle grace the pool has closed the connection and holds nothing.
  await expect.poll(() => pool.getSnapshot().connections.length, { timeout: 5000 }).toBe(0);
  const snapshot = pool.getSnapshot();
  await expect.poll(serverSockets, { timeout: 5000 }).toBe(0);
  const sockets = await serverSockets();
  pool.destroy();

  const at = (n: number) => heap.find((h) => h.cycles === n)?.bytes ?? NaN;
  const growth = at(3000) - at(2000);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    [
      `memory: ${CYCLES} cycles in ${(elapsed / 1000).toFixed(1)} s, ${live} live sessions`,
      'cycles | heap after GC',
      ...heap.map((h) => `${String(h.cycles).padStart(6)} | ${kb(h.bytes)}`),
      `growth 2k→3k: ${kb(growth)}`,
      `in the idle grace: ${released.connections.length} connection (${released.connections[0]?.state}), leases ${released.leases}, listeners ${released.listeners}, timers ${released.timers}`,
      `after it: sockets on server ${sockets}, pool listeners ${snapshot.listeners}, timers ${snapshot.timers}, leases ${snapshot.leases}`,
    ].join('\n'),
  );

  expect(live).toBe(Math.floor(CYCLES / LIVE_EVERY));
  expect(sockets).toBe(0);
  expect(snapshot.listeners).toBe(0);
  expect(snapshot.timers).toBe(0);
  expect(snapshot.leases).toBe(0);
  if (CYCLES >= 3000) expect(growth).toBeLessThanOrEqual(100 * 1024);
}, 240_000);
