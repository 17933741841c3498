import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import ChatHarness from '../../../test/harness/ChatHarness.svelte';
import { startLocalServer, type LocalServer } from '../../../test/local-server.js';
import { scrollUpLikeAUser } from '../../../test/scroll.js';

let local: LocalServer;
let roomSeq = 0;

beforeEach(() => {
  local = startLocalServer();
});
afterEach(() => local.close());

const newRoom = () => `focus-${++roomSeq}-${Date.now()}`;

async function mount(room: string) {
  const screen = await render(ChatHarness, { pool: local.pool('alice'), room });
  await expect
    .poll(() => screen.container.querySelector('.wk-chat')?.getAttribute('data-state'))
    .toBe('ready');
  return screen;
}

type Screen = Awaited<ReturnType<typeof mount>>;

const ownState = (screen: Screen) =>
  screen.container.querySelector('[data-own="true"]')?.getAttribute('data-state');

/** Focuses a control and activates it with the keyboard, as a keyboard user would. */
async function press(element: Element) {
  (element as HTMLElement).focus();
  await userEvent.keyboard('{Enter}');
}

describe('ChatPanel keeps keyboard focus when the focused control goes away', () => {
  it('Cancel editing returns focus to the text box', async () => {
    const screen = await mount(newRoom());
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(box, 'hello{Enter}');
    await expect.poll(() => ownState(screen)).toBe('sent');
    await userEvent.keyboard('{ArrowUp}');
    await press(screen.getByRole('button', { name: 'Cancel editing' }).element());
    await expect.element(screen.getByText('Editing message')).not.toBeInTheDocument();
    await expect.poll(() => document.activeElement).toBe(box.element());
  });

  it('Delete moves focus to the message log, not to <body>', async () => {
    const screen = await mount(newRoom());
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'bye{Enter}');
    await expect.poll(() => ownState(screen)).toBe('sent');
    await press(screen.getByRole('button', { name: 'Delete message' }).element());
    await expect.element(screen.getByText('This message was deleted')).toBeVisible();
    await expect.poll(() => document.activeElement).toBe(screen.getByRole('log').element());
  });

  it('Retry moves focus to the message log once the button goes', async () => {
    const screen = await mount(newRoom());
    local.failNextSends(1);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'flaky{Enter}');
    await press(screen.getByRole('button', { name: 'Retry' }).element());
    await expect.poll(() => ownState(screen)).toBe('sent');
    await expect.poll(() => document.activeElement).toBe(screen.getByRole('log').element());
  });

  it('"Jump to latest" moves focus to the message log', async () => {
    const room = newRoom();
    await local.seed(room, 80);
    const screen = await mount(room);
    const log = screen.getByRole('log').element() as HTMLElement;
    await expect.element(screen.getByText(/Message 80$/)).toBeVisible();
    await scrollUpLikeAUser(screen.container, log);
    const jump = screen.getByRole('button', { name: /jump to latest/i });
    await press(jump.element());
    await expect.element(jump).not.toBeInTheDocument();
    await expect.poll(() => document.activeElement).toBe(log);
  });

  it('does not take focus back once the user has left, when the control goes later', async () => {
    const room = newRoom();
    await local.seed(room, 80);
    const screen = await mount(room);
    const log = screen.getByRole('log').element() as HTMLElement;
    await expect.element(screen.getByText(/Message 80$/)).toBeVisible();
    await scrollUpLikeAUser(screen.container, log);
    const jump = screen.getByRole('button', { name: /jump to latest/i });
    (jump.element() as HTMLElement).focus();
    // The user clicks on the page, away from any control: focus goes to <body>.
    (document.activeElement as HTMLElement).blur();
    expect(document.activeElement).toBe(document.body);
    // Later the button goes (scrolled to the end): focus stays where the user left it.
    await expect
      .poll(() => {
        log.scrollTop = log.scrollHeight;
        return jump.query();
      })
      .toBeNull();
    await Promise.resolve();
    expect(document.activeElement).toBe(document.body);
  });
});
