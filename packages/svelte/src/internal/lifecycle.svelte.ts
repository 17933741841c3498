import { BROWSER } from 'esm-env';

const noop = () => {};

/**
 * Runs `effect` as an `$effect` of the current owner (a component being initialised, or an
 * enclosing effect / `$effect.root`), so it starts after mount and its teardown runs on
 * unmount with no user code. With no owner (module scope, an event handler, a plain test) it
 * runs under a private `$effect.root` instead; the returned function destroys that root.
 *
 * On the server it does nothing: SSR never runs effects, and nothing may open there.
 */
export function bindLifecycle(effect: () => void | (() => void)): () => void {
  return !BROWSER || ownedEffect(effect)
    ? noop
    : $effect.root(() => {
        $effect(effect);
      });
}

/**
 * Runs `effect` as an `$effect` of the current owner (a component being initialised, or an
 * effect) and returns `true`; with no owner, or on the server, does nothing and returns `false`.
 */
export function ownedEffect(effect: () => void | (() => void)): boolean {
  if (!BROWSER) return false;
  try {
    // Throws `effect_orphan` before creating anything when there is no owner.
    $effect(effect);
    return true;
  } catch {
    return false;
  }
}
