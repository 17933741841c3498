import { expect } from 'vitest';

/**
 * Scrolls a ChatPanel's log up as a user would (a wheel, then the scroll), again until the list
 * says it is scrolled: a programmatic scroll to the end still settling may undo the first tries.
 */
export async function scrollUpLikeAUser(container: HTMLElement, log: HTMLElement): Promise<void> {
  await expect
    .poll(() => {
      log.dispatchEvent(new WheelEvent('wheel', { deltaY: -500, bubbles: true }));
      log.scrollTop = log.scrollHeight / 2;
      return container.querySelector('.list')?.getAttribute('data-state');
    })
    .toBe('scrolled');
}
