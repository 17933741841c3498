import { flushSync } from 'svelte';

/**
 * Runs `fn` inside an `$effect.root`, so wrappers created in it see an owner and their effects
 * run (flushed at once); `cleanup()` destroys the root like an unmount would.
 */
export function withRoot<T>(fn: () => T): { value: T; cleanup: () => void } {
  let value: T | undefined;
  const cleanup = $effect.root(() => {
    value = fn();
  });
  flushSync();
  return { value: value as T, cleanup };
}
