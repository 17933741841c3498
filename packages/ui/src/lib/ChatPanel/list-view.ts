import type { MessageList } from '@wirekit/core';

/** A canonical array index (`'0'`, `'42'`), not `'01'`, `'-1'` or `'length'`. */
function indexOf(key: string | symbol): number {
  if (typeof key !== 'string') return -1;
  const index = Number(key);
  return Number.isInteger(index) && index >= 0 && String(index) === key ? index : -1;
}

/**
 * A read-only array view of a {@link MessageList}: `length` and indexes read through to the
 * list, so a new snapshot costs O(1) instead of a copy of the whole history (at 100k messages
 * that copy dominated the cost of one incoming message). Array methods work on it generically
 * (`map`, `slice`, `at`, spread, `for…of`); `Array.isArray` is true.
 *
 * @example
 * const items = $derived(listView(chat.messages)); // VList reads items.length and items[i]
 */
export function listView<T>(list: MessageList<T>): readonly T[] {
  return new Proxy([] as T[], {
    get(target, key, receiver) {
      if (key === 'length') return list.length;
      const index = indexOf(key);
      if (index >= 0) return list.at(index);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      const index = indexOf(key);
      return index >= 0 ? index < list.length : Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      const index = indexOf(key);
      if (index < 0 || index >= list.length) return Reflect.getOwnPropertyDescriptor(target, key);
      return { value: list.at(index), writable: false, enumerable: true, configurable: true };
    },
    ownKeys(target) {
      const keys: (string | symbol)[] = [];
      for (let i = 0; i < list.length; i++) keys.push(String(i));
      return [...keys, ...Reflect.ownKeys(target)];
    },
    // A snapshot's view never changes: writes are refused (a TypeError in strict mode).
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  });
}
