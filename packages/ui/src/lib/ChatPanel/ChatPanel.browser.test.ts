import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { expectNoAxeViolations } from '../../../test/axe.js';
import ChatHarness from '../../../test/harness/ChatHarness.svelte';
import { startLocalServer, type LocalServer } from '../../../test/local-server.js';
import { scrollUpLikeAUser } from '../../../test/scroll.js';

let local: LocalServer;
let roomSeq = 0;

beforeEach(() => {
  local = startLocalServer();
});
afterEach(() => local.close());

/** A fresh room name per test. */
const newRoom = () => `room-${++roomSeq}-${Date.now()}`;

function scroller(container: HTMLElement): HTMLElement {
  const el = container.querySelector<HTMLElement>('[role="log"]');
  if (!el) throw new Error('no log');
  return el;
}

async function mount(room: string, props: Record<string, unknown> = {}) {
  const screen = await render(ChatHarness, { pool: local.pool(), room, ...props });
  await expect.element(screen.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect
    .poll(() => screen.container.querySelector('.wk-chat')?.getAttribute('data-state'))
    .toBe('ready');
  return screen;
}

describe('ChatPanel over the real chat service (memory transport)', () => {
  it('sends with Enter, keeps Shift+Enter as a newline, shows own vs others', async () => {
    const room = newRoom();
    const screen = await mount(room);
    await expect.element(screen.getByText('No messages yet. Say hello!')).toBeVisible();
    const box = screen.getByRole('textbox', { name: 'Message' });
    const send = screen.getByRole('button', { name: 'Send' });
    await expect.element(send).toBeDisabled();
    await userEvent.type(box, 'line one{Shift>}{Enter}{/Shift}line two');
    await expect.element(send).toBeEnabled();
    await userEvent.keyboard('{Enter}');
    await expect.element(box).toHaveValue('');
    const own = screen.container.querySelector('[data-own="true"]');
    await expect
      .poll(() => screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state'))
      .toBe('sent');
    expect(own?.textContent).toContain('line one\nline two');
    await expect.element(screen.getByText('You', { exact: true })).toBeVisible();

    const bob = local.actor('bob');
    await local.chat.join(bob, { room });
    await local.chat.send(bob, { room, text: 'hi Alice' });
    await expect.element(screen.getByText('hi Alice', { exact: true })).toBeVisible();
    const others = screen.container.querySelector('[data-own="false"]');
    expect(others?.textContent).toContain('Bob');
    // Others' new messages are announced politely; own ones are not.
    const live = screen.container.querySelector('[aria-live="polite"]');
    expect(live?.textContent).toBe('Bob: hi Alice');
    await expect.element(screen.getByText('2 online')).toBeVisible();
  });

  it('shows a failed send with Retry, and sends it on Retry', async () => {
    const room = newRoom();
    const screen = await mount(room);
    local.failNextSends(1);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'flaky{Enter}');
    const retry = screen.getByRole('button', { name: 'Retry' });
    await expect.element(retry).toBeVisible();
    await expect.element(screen.getByText('Not sent')).toBeVisible();
    expect(screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state')).toBe(
      'failed',
    );
    await userEvent.click(retry);
    await expect
      .poll(() => screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state'))
      .toBe('sent');
    expect(screen.container.querySelector('[data-own="true"]')?.textContent).toContain('flaky');
    await expect.element(screen.getByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('shows sends made offline as pending and sends them when back', async () => {
    const room = newRoom();
    const screen = await mount(room);
    local.memory.setAvailable(false);
    await expect.element(screen.getByRole('status')).toHaveTextContent(/Offline/);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'queued{Enter}');
    await expect.element(screen.getByText('Sending…')).toBeVisible();
    expect(screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state')).toBe(
      'pending',
    );
    local.memory.setAvailable(true);
    await expect
      .poll(() => screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toBe('sent');
    expect((await local.store.history(room, { limit: 10 })).messages.map((m) => m.text)).toEqual([
      'queued',
    ]);
  });

  it('shows who is typing and drops the indicator when it expires', async () => {
    const room = newRoom();
    const screen = await mount(room, { roomOptions: { typingTimeout: 300 } });
    const actors = ['bob', 'carol', 'dave'].map((id) => local.actor(id));
    for (const actor of actors) await local.chat.join(actor, { room });
    local.chat.typing(actors[0]!, { room, typing: true });
    await expect.element(screen.getByText('Bob is typing…')).toBeVisible();
    local.chat.typing(actors[1]!, { room, typing: true });
    local.chat.typing(actors[2]!, { room, typing: true });
    await expect.element(screen.getByText('3 people are typing…')).toBeVisible();
    // No news for typingTimeout: the indicator expires on its own.
    await expect
      .poll(() => screen.container.querySelector('.typing')?.getAttribute('data-state'), {
        timeout: 3000,
      })
      .toBe('idle');
  });

  it('offers "jump to latest" with a count when scrolled up, and stays pinned when at the bottom', async () => {
    const room = newRoom();
    await local.seed(room, 80);
    const screen = await mount(room);
    const log = scroller(screen.container);
    await expect.element(screen.getByText(/Message 80$/)).toBeVisible();
    const bob = local.actor('bob');
    await local.chat.join(bob, { room });
    // Pinned: a new message scrolls into view.
    await local.chat.send(bob, { room, text: 'pinned one' });
    await expect.element(screen.getByRole('log').getByText(/pinned one$/)).toBeVisible();

    await scrollUpLikeAUser(screen.container, log);
    const jump = screen.getByRole('button', { name: /jump to latest/i });
    await expect.element(jump).toHaveTextContent('Jump to latest');
    for (const text of ['n1', 'n2', 'n3']) await local.chat.send(bob, { room, text });
    await expect.element(jump).toHaveTextContent('3 new messages — jump to latest');
    await expect.element(screen.getByRole('log').getByText(/: n3$/)).not.toBeInTheDocument();
    await userEvent.click(jump);
    await expect.element(screen.getByRole('log').getByText(/: n3$/)).toBeVisible();
    await expect
      .element(screen.getByRole('button', { name: /jump to latest/i }))
      .not.toBeInTheDocument();
  });

  it('loads older messages at the top and keeps the visible message in place', async () => {
    const room = newRoom();
    await local.seed(room, 250);
    const screen = await mount(room);
    const log = scroller(screen.container);
    await expect.element(screen.getByText(/Message 250$/)).toBeVisible();
    // The join brought the newest page only.
    const firstLoaded = Number(
      log.querySelector('[data-message-id] .bubble')?.textContent?.match(/\d+/)?.[0],
    );
    expect(firstLoaded).toBeGreaterThan(100);
    // A slow server, so the top of the list can be looked at before the older page lands.
    local.memory.setLatency(150);
    log.dispatchEvent(new WheelEvent('wheel', { deltaY: -500, bubbles: true }));
    log.scrollTop = 0;
    const firstRow = () => log.querySelector('[data-message-id]');
    await expect.poll(() => firstRow()?.textContent).toContain(`Message ${firstLoaded}`);
    await expect
      .poll(() => screen.getByRole('button', { name: 'Loading older messages…' }).query())
      .not.toBeNull();
    const anchorId = firstRow()!.getAttribute('data-message-id');
    const before = firstRow()!.getBoundingClientRect().top;
    const heightBefore = log.scrollHeight;
    await expect.element(screen.getByRole('button', { name: 'Load older messages' })).toBeVisible();
    await expect.poll(() => log.scrollHeight).toBeGreaterThan(heightBefore);
    await expect.poll(() => log.scrollTop).toBeGreaterThan(0);
    // The same message stays where the reader was looking: no jump.
    const row = log.querySelector(`[data-message-id="${anchorId}"]`);
    expect(row).not.toBeNull();
    expect(Math.abs(row!.getBoundingClientRect().top - before)).toBeLessThan(4);
  });

  it('edits the last own message with ArrowUp and cancels with Escape', async () => {
    const room = newRoom();
    const screen = await mount(room);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(box, 'frist{Enter}');
    await expect
      .poll(() => screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state'))
      .toBe('sent');
    await userEvent.keyboard('{ArrowUp}');
    await expect.element(box).toHaveValue('frist');
    await expect.element(screen.getByText('Editing message')).toBeVisible();
    await userEvent.keyboard('{Escape}');
    await expect.element(box).toHaveValue('');
    await expect.element(screen.getByText('Editing message')).not.toBeInTheDocument();
    await userEvent.keyboard('{ArrowUp}');
    await userEvent.fill(box, 'first');
    await userEvent.keyboard('{Enter}');
    await expect.element(screen.getByText('(edited)')).toBeVisible();
    await expect.element(screen.getByText('first', { exact: true })).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: 'Delete message' }));
    await expect.element(screen.getByText('This message was deleted')).toBeVisible();
  });

  it('counts the people in a room too large for a member list', async () => {
    local.close();
    local = startLocalServer({ presenceListLimit: 1 });
    const room = newRoom();
    const screen = await mount(room);
    const bob = local.actor('bob');
    await local.chat.join(bob, { room });
    await expect.element(screen.getByText('2 online')).toBeVisible();
  });

  it('follows a room prop change and takes label overrides', async () => {
    const first = newRoom();
    const second = newRoom();
    await local.seed(first, 2, 'bob');
    await local.seed(second, 3, 'carol');
    const screen = await mount(first, {
      labels: { send: 'Post', presence: (n: number) => `${n} here` },
    });
    await expect.element(screen.getByRole('button', { name: 'Post' })).toBeInTheDocument();
    await expect.element(screen.getByRole('log').getByText(/Message 2$/)).toBeVisible();
    await screen.rerender({ room: second });
    await expect.element(screen.getByRole('heading', { name: second })).toBeVisible();
    await expect.element(screen.getByRole('log').getByText(/Message 3$/)).toBeVisible();
    await expect
      .poll(() => screen.container.querySelector('[role="log"]')?.textContent)
      .toContain('Carol');
    expect(screen.container.querySelector('[role="log"]')?.textContent).not.toContain('Bob');
    // The old room was left on the server: only the new one has Alice as a member.
    await expect.poll(async () => (await local.hub.sessions(`wk:room:${first}`)).length).toBe(0);
    expect((await local.hub.sessions(`wk:room:${second}`)).map((s) => s.user.id)).toEqual([
      'alice',
    ]);
    await expect.element(screen.getByText('1 here')).toBeVisible();
  });

  it('renders markup as inert text and only links http(s)', async () => {
    const room = newRoom();
    const screen = await mount(room);
    const bob = local.actor('bob');
    await local.chat.join(bob, { room });
    const evil = [
      '<img src=x onerror="window.__xss=1">',
      '<script>window.__xss=2</script>',
      'javascript:window.__xss=3 and https://example.com/ok',
      '<a href="javascript:alert(1)">click</a>',
    ];
    for (const text of evil) await local.chat.send(bob, { room, text });
    await expect.element(screen.getByText(evil[0]!)).toBeVisible();
    const log = scroller(screen.container);
    expect(log.querySelector('img, script, [onerror]')).toBeNull();
    const links = [...log.querySelectorAll('a')];
    expect(links.map((a) => [a.getAttribute('href'), a.rel])).toEqual([
      ['https://example.com/ok', 'noopener noreferrer'],
    ]);
    expect((window as { __xss?: unknown }).__xss).toBeUndefined();
  });

  it('has no axe violations: empty, with messages and a failure, editing, dark', async () => {
    const room = newRoom();
    const screen = await mount(room);
    await expectNoAxeViolations(screen.container);
    const bob = local.actor('bob');
    await local.chat.join(bob, { room });
    await local.chat.send(bob, { room, text: 'hello https://example.com' });
    local.failNextSends(1);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'oops{Enter}');
    await expect.element(screen.getByRole('button', { name: 'Retry' })).toBeVisible();
    await userEvent.fill(screen.getByRole('textbox', { name: 'Message' }), 'x'.repeat(3700));
    await expect.element(screen.getByText('300 characters left')).toBeVisible();
    await expectNoAxeViolations(screen.container);
    await screen.rerender({ 'data-theme': 'dark' });
    await expectNoAxeViolations(screen.container);
  });
});
