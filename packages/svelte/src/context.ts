import { getContext, hasContext, setContext } from 'svelte';
import type { ConnectionPool } from '@wirekit/core';

// A Symbol, not a string: no other library's context can collide with it.
const POOL_KEY = Symbol.for('@wirekit/svelte/pool');

const MISSING =
  'No wirekit pool found: call setPool(pool) in a parent layout (e.g. src/routes/+layout.svelte), ' +
  'or pass { pool } to the wirekit function you called.';

const OUTSIDE =
  'getPool() was called outside component initialisation, where Svelte has no context to read. ' +
  'Call it at the top level of a component <script>, or pass { pool } explicitly.';

/**
 * Provides a connection pool to every component below this one. Call it once, during component
 * initialisation, in the root layout.
 *
 * @example
 * ```svelte
 * <!-- src/routes/+layout.svelte -->
 * <script lang="ts">
 *   import { createPool } from '@wirekit/core';
 *   import { setPool } from '@wirekit/svelte';
 *   let { children } = $props();
 *   setPool(createPool({ auth: () => ({ token: localStorage.token }) }));
 * </script>
 * {@render children()}
 * ```
 */
export function setPool(pool: ConnectionPool): ConnectionPool {
  return setContext(POOL_KEY, pool);
}

/**
 * The pool a parent provided with {@link setPool}. Call it during component initialisation.
 * @throws {Error} with a fix-it message when no parent called `setPool`.
 */
export function getPool(): ConnectionPool {
  let pool: ConnectionPool | undefined;
  try {
    pool = getContext<ConnectionPool | undefined>(POOL_KEY);
  } catch (cause) {
    throw new Error(OUTSIDE, { cause });
  }
  if (!pool) throw new Error(MISSING);
  return pool;
}

/**
 * Whether a parent provided a pool. `false` outside component initialisation.
 */
export function hasPool(): boolean {
  try {
    return hasContext(POOL_KEY) && getContext(POOL_KEY) !== undefined;
  } catch {
    return false;
  }
}

/** The explicit pool if given, else the one from context. */
export function resolvePool(pool: ConnectionPool | undefined): ConnectionPool {
  return pool ?? getPool();
}
