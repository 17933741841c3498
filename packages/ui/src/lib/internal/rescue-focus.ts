import type { Attachment } from 'svelte/attachments';

/**
 * Keeps keyboard focus inside the element it is attached to when the focused element is
 * removed (a button that hides itself, a deleted row's actions, a dismissed item): focus moves
 * to `fallback(lost, container)` instead of dropping to `<body>`, where a keyboard user loses their place
 * and Escape no longer reaches the component. Focus the user moved elsewhere is never taken back.
 *
 * Watches only while focus is inside. Chromium fires `focusout` on removal, other engines do
 * not, so removal is also noticed by a `MutationObserver`.
 *
 * @internal
 */
export function rescueFocus(
  fallback: (lost: Element, container: HTMLElement) => HTMLElement | null | undefined,
): Attachment<HTMLElement> {
  return (node) => {
    let focused: Element | null = null;
    const observer = new MutationObserver(check);

    function stop() {
      focused = null;
      observer.disconnect();
    }

    function check() {
      if (!focused || focused.isConnected) return;
      const lost = focused;
      stop();
      const active = document.activeElement;
      if (active && active !== document.body) return;
      fallback(lost, node)?.focus({ preventScroll: true });
    }

    function onFocusIn(event: FocusEvent) {
      focused = event.target as Element;
      observer.observe(node, { childList: true, subtree: true });
    }

    function onFocusOut(event: FocusEvent) {
      const next = event.relatedTarget as Node | null;
      if (next && node.contains(next)) return;
      // After a removal the DOM settles first; a move elsewhere (or a click on the page) ends it.
      queueMicrotask(() => {
        check();
        if (focused && !node.contains(document.activeElement)) stop();
      });
    }

    node.addEventListener('focusin', onFocusIn);
    node.addEventListener('focusout', onFocusOut);
    return () => {
      stop();
      node.removeEventListener('focusin', onFocusIn);
      node.removeEventListener('focusout', onFocusOut);
    };
  };
}
