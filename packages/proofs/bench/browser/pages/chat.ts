/**
 * ChatPanel render bench page. The Node side (bench/browser/ui.ts) drives it through
 * `window.benchChat`; data comes from a real wirekit server over Socket.IO (`?server=`).
 */
import { createChatRoom, frameScheduler, type BatchScheduler, type ChatItem } from '@wirekit/core';
import { ChatMessageList, ChatPanel, chatLabelsEn } from '@wirekit/ui';
import { flushSync, mount, unmount } from 'svelte';
import NaiveChat from './NaiveChat.svelte';
import NaiveMessages from './NaiveMessages.svelte';
import { benchPool } from './bench-pool.js';
import { until } from './wait.js';

const pool = benchPool();
const app = document.getElementById('app') as HTMLElement;

export type Kind = 'panel' | 'naive';

/** One model notification: the model's flush + Svelte's DOM update, then the forced layout. */
interface Sample {
  script: number;
  layout: number;
}
let samples: Sample[] = [];

/** The default frame scheduler, with the synchronous part of each flush timed. */
const timedScheduler: BatchScheduler = {
  schedule(fn) {
    return frameScheduler.schedule(() => {
      const t0 = performance.now();
      fn();
      flushSync();
      const t1 = performance.now();
      void app.offsetHeight;
      samples.push({ script: t1 - t0, layout: performance.now() - t1 });
    });
  },
};

const roomOptions = { scheduler: timedScheduler, pageSize: 100, maxMessages: 1_000_000 };

const nextTask = () =>
  new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
/** Resolves in the first task after the next frame was produced (rAF, then a task). */
const afterPaint = () =>
  new Promise<void>((resolve) => requestAnimationFrame(() => void nextTask().then(resolve)));

/** Chat set-ups (paging 100k messages in) run long: a 2-minute bound, polled every 2 ms. */
const untilFor = (what: string, cond: () => boolean, timeout = 120_000) =>
  until(what, cond, timeout, 2);

type NaiveExports = {
  loadOlder(): Promise<{ length: number; hasOlder: boolean }>;
  info(): { length: number; hasOlder: boolean; status: string };
  setPaused(paused: boolean): void;
};

let current: { kind: Kind; app: Record<string, unknown> } | undefined;

const root = () => app.firstElementChild as HTMLElement | null;
const ready = () => root()?.getAttribute('data-state') === 'ready';
const rows = () => app.querySelectorAll('[data-message-id]').length;

/** Elements and all nodes (text, comments included) under the mounted component. */
function nodes(): { elements: number; nodes: number } {
  let count = 0;
  const walker = document.createTreeWalker(app, NodeFilter.SHOW_ALL);
  while (walker.nextNode()) count++;
  return { elements: app.querySelectorAll('*').length, nodes: count };
}

async function stop(): Promise<void> {
  if (current) await unmount(current.app);
  current = undefined;
  app.replaceChildren();
  await afterPaint();
}

const benchChat = {
  /**
   * Mounts a view of `room` and times mount → first frame painted after it joined and shows
   * messages (the join page: the newest 100).
   */
  async mount(kind: Kind, room: string): Promise<{ firstPaint: number }> {
    await stop();
    const t0 = performance.now();
    const props = { pool, room, roomOptions };
    const instance =
      kind === 'panel'
        ? mount(ChatPanel, { target: app, props: { ...props, height: '100%' } })
        : mount(NaiveChat, { target: app, props });
    current = { kind, app: instance as Record<string, unknown> };
    flushSync();
    await untilFor('joined', () => ready() && rows() > 0);
    await afterPaint();
    return { firstPaint: performance.now() - t0 };
  },

  /**
   * Pages the whole history in (setup, not timed as a figure): ChatPanel through its own
   * "load older" button, the naive list through its model's `loadOlder()` while it renders
   * nothing. Then ChatPanel is taken back to the newest message ("jump to latest").
   */
  async loadAll(): Promise<{ ms: number; length?: number }> {
    if (!current) throw new Error('nothing mounted');
    const t0 = performance.now();
    if (current.kind === 'panel') {
      for (;;) {
        const older = app.querySelector<HTMLButtonElement>('button.older');
        if (!older) break;
        if (!older.disabled) older.click();
        await nextTask();
      }
      await afterPaint();
      const jump = app.querySelector<HTMLButtonElement>('button.jump');
      jump?.click();
      await untilFor(
        'at bottom',
        () => app.querySelector('.list[data-state="at-bottom"]') !== null,
      );
      await afterPaint();
      await afterPaint();
      return { ms: performance.now() - t0 };
    }
    const naive = current.app as unknown as NaiveExports;
    naive.setPaused(true);
    flushSync();
    let page: { hasOlder: boolean } = naive.info();
    while (page.hasOlder) page = await naive.loadOlder();
    // Render the full list once, then scroll to the newest message.
    naive.setPaused(false);
    flushSync();
    const list = app.querySelector('.naive-list');
    if (list) list.scrollTop = list.scrollHeight;
    await afterPaint();
    return { ms: performance.now() - t0, length: naive.info().length };
  },

  /** Waits until message `id` is in the DOM (appended at the end), then one more frame. */
  async rendered(id: string): Promise<void> {
    const naiveLast = () =>
      (app.querySelector('.naive-list')?.lastElementChild as HTMLElement | null)?.dataset
        .messageId === id;
    const panelHas = () => app.querySelector(`[data-message-id="${CSS.escape(id)}"]`) !== null;
    await untilFor(`message ${id}`, current?.kind === 'naive' ? naiveLast : panelHas, 10_000);
    await afterPaint();
    await afterPaint();
  },

  resetSamples(): void {
    samples = [];
  },

  samples(): Sample[] {
    return samples;
  },

  nodes,

  stop,

  /**
   * First paint with the history already in hand: a core ChatRoom on the same pooled
   * connection pages `room` in from the server, then ChatPanel's list (ChatMessageList) or the
   * naive list is mounted on that array; mount → first frame painted.
   */
  async listFirstPaint(kind: Kind, room: string): Promise<{ ms: number; length: number }> {
    await stop();
    const items = await history(room);
    const shell = document.createElement('div');
    shell.className = 'wk-root wk-chat';
    shell.style.cssText = 'height:100%;display:flex;flex-direction:column';
    app.append(shell);
    const t0 = performance.now();
    const instance =
      kind === 'panel'
        ? mount(ChatMessageList, {
            target: shell,
            props: { items, labels: chatLabelsEn, onretry: () => {} },
          })
        : mount(NaiveMessages, { target: shell, props: { items } });
    flushSync();
    await afterPaint();
    const ms = performance.now() - t0;
    current = { kind, app: instance as Record<string, unknown> };
    return { ms, length: items.length };
  },
};

const histories = new Map<string, ChatItem[]>();
async function history(room: string): Promise<ChatItem[]> {
  const cached = histories.get(room);
  if (cached) return cached;
  const lease = pool.acquire('/');
  const model = createChatRoom(lease.connection, { room, pageSize: 100, maxMessages: 1_000_000 });
  model.start();
  await untilFor('joined', () => model.getSnapshot().status === 'joined');
  while (model.getSnapshot().hasOlder) await model.loadOlder();
  const items = model.getSnapshot().messages.toArray();
  model.dispose();
  lease.release();
  histories.set(room, items);
  return items;
}

Object.assign(window, { benchChat });
