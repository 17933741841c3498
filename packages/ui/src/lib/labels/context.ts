import { getContext, hasContext, setContext } from 'svelte';
import type { WirekitLabels } from './types.js';
import { en } from './sets.js';

const KEY = Symbol.for('wirekit.ui.labels');

/**
 * Sets the label set (e.g. `ja`) for every wirekit component below this component. A
 * component's own `labels` prop still wins. Call during component initialisation.
 *
 * @example
 * ```svelte
 * <script>import { setLabels, ja } from '@wirekit/ui'; setLabels(ja);</script>
 * ```
 */
export function setLabels(labels: WirekitLabels): void {
  setContext(KEY, labels);
}

/** The label set from context, or English. Call during component initialisation. */
export function getLabels(): WirekitLabels {
  return hasContext(KEY) ? getContext<WirekitLabels>(KEY) : en;
}

/**
 * One component's labels from context, else `defaults` (that component's English set).
 * Components use this rather than `getLabels()[component]` so a bundle carries only its own
 * component's default labels, not every component's English set.
 *
 * @internal
 */
export function contextLabels<C extends keyof WirekitLabels>(
  component: C,
  defaults: WirekitLabels[C],
): WirekitLabels[C] {
  return hasContext(KEY) ? getContext<WirekitLabels>(KEY)[component] : defaults;
}

/** Merges a component's `labels` prop over its defaults; `undefined` entries are ignored. */
export function mergeLabels<T extends object>(defaults: T, override: Partial<T> | undefined): T {
  if (!override) return defaults;
  const merged = { ...defaults };
  for (const key of Object.keys(override) as (keyof T)[]) {
    const value = override[key];
    if (value !== undefined) merged[key] = value as T[keyof T];
  }
  return merged;
}
