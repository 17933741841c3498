import { createMessageList } from '@wirekit/core';
import { describe, expect, it, vi } from 'vitest';
import { listView } from './list-view.js';

describe('listView', () => {
  it('reads like an array of the list', () => {
    const view = listView(createMessageList(['a', 'b', 'c']));
    expect(view.length).toBe(3);
    expect(view[0]).toBe('a');
    expect(view[2]).toBe('c');
    expect(view[3]).toBeUndefined();
    expect(view[-1 as number]).toBeUndefined();
    expect(Array.isArray(view)).toBe(true);
    expect([...view]).toEqual(['a', 'b', 'c']);
    expect(view.map((x) => x.toUpperCase())).toEqual(['A', 'B', 'C']);
    expect(view.slice(1)).toEqual(['b', 'c']);
    expect(view.at(-1)).toBe('c');
    expect(view.findLast((x) => x < 'c')).toBe('b');
    expect(0 in view).toBe(true);
    expect(3 in view).toBe(false);
    expect(Object.keys(view)).toEqual(['0', '1', '2']);
    expect(JSON.stringify(view)).toBe('["a","b","c"]');
    const seen: string[] = [];
    for (const x of view) seen.push(x);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('is read-only', () => {
    const view = listView(createMessageList([1, 2])) as number[];
    expect(() => {
      view[0] = 5;
    }).toThrow(TypeError);
    expect(() => view.push(3)).toThrow(TypeError);
    expect([...view]).toEqual([1, 2]);
  });

  it('costs O(1) per snapshot: no copy of the list, only the items read', () => {
    const list = createMessageList(Array.from({ length: 100_000 }, (_, i) => i));
    const proto = Object.getPrototypeOf(list) as typeof list;
    const slice = vi.spyOn(proto, 'slice');
    const toArray = vi.spyOn(proto, 'toArray');
    const iterate = vi.spyOn(proto, Symbol.iterator);
    const at = vi.spyOn(proto, 'at');
    try {
      const view = listView(list);
      expect(view.length).toBe(100_000);
      expect(view[view.length - 1]).toBe(99_999);
      expect(view[view.length - 2]).toBe(99_998);
      expect(slice).not.toHaveBeenCalled();
      expect(toArray).not.toHaveBeenCalled();
      expect(iterate).not.toHaveBeenCalled();
      expect(at).toHaveBeenCalledTimes(2);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
