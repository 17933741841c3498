import type { ConnectionPool } from '@wirekit/core';

/**
 * A value or a function returning it. Pass a getter (`() => room`) so the wrapper follows a
 * prop or state change; a plain value is read once.
 */
export type MaybeGetter<T> = T | (() => T);

/** Options every pool-backed wrapper takes. */
export interface PoolBindingOptions {
  /**
   * The pool to acquire from. Required when the wrapper is created outside component
   * initialisation (module scope, tests). @default getPool() (from a parent's setPool)
   */
  pool?: ConnectionPool;
  /** Pool key: the Socket.IO namespace or path of the connection. @default '/' */
  key?: string;
}

/** Reads a {@link MaybeGetter}. */
export function read<T>(value: MaybeGetter<T>): T {
  return typeof value === 'function' ? (value as () => T)() : value;
}
