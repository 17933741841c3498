import type { Attachment } from 'svelte/attachments';
import { on } from 'svelte/events';

/** What keyboard focus can land on. */
export const FOCUSABLE = 'a[href], button:not([disabled])';

/**
 * Keeps keyboard focus inside the element it is attached to when the focused element is
 * removed (a button that hides itself, a deleted row's actions, a dismissed item): focus moves
 * to `fallback(container)` instead of dropping to `<body>`, where a keyboard user loses their
 * place and Escape no longer reaches the component. Focus the user moved elsewhere is never
 * taken back.
 *
 * Chromium fires `focusout` on removal, Firefox and Safari do not, so removal is noticed by a
 * `MutationObserver`, which runs only while focus is inside.
 *
 * @internal
 */
export function rescueFocus(
  fallback: (container: HTMLElement) => HTMLElement | null | undefined,
): Attachment<HTMLElement> {
  return (node) => {
    let focused: Element | null = null;
    // Runs once focus may have left: stops watching, and rescues focus that fell to <body>
    // because its element was removed.
    const check = () => {
      if (node.contains(document.activeElement)) return;
      observer.disconnect();
      const lost = focused?.isConnected === false;
      focused = null;
      if (lost && document.activeElement === document.body) {
        fallback(node)?.focus({ preventScroll: true });
      }
    };
    const observer = new MutationObserver(check);
    const offIn = on(node, 'focusin', (event) => {
      focused = event.target as Element;
      observer.observe(node, { childList: true, subtree: true });
    });
    // After a removal the DOM settles first; a move elsewhere (or a click on the page) ends it.
    const offOut = on(node, 'focusout', (event) => {
      if (!node.contains(event.relatedTarget as Node | null)) queueMicrotask(check);
    });
    return () => {
      observer.disconnect();
      offIn();
      offOut();
    };
  };
}
