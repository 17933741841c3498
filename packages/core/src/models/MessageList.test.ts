import { describe, expect, it } from 'vitest';
import { createMessageList, MessageListDraft, type MessageList } from './MessageList.js';

/** The chunk table, to check structure sharing (internal). */
const chunks = <T>(list: MessageList<T>) =>
  (list as unknown as { _chunks: readonly T[][] })._chunks;
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('MessageList', () => {
  it('reads like an array', () => {
    const list = createMessageList(range(600));
    expect(list.length).toBe(600);
    expect(list.at(0)).toBe(0);
    expect(list.at(599)).toBe(599);
    expect(list.at(-1)).toBe(599);
    expect(list.at(600)).toBeUndefined();
    expect(list.at(1.5)).toBeUndefined();
    expect(list.slice(250, 260)).toEqual(range(10, 250));
    expect(list.slice(-3)).toEqual([597, 598, 599]);
    expect(list.slice(10, 5)).toEqual([]);
    expect(list.findIndex((n) => n === 300)).toBe(300);
    expect(list.findLastIndex((n) => n % 100 === 0)).toBe(500);
    expect(list.findIndex(() => false)).toBe(-1);
    expect([...list]).toEqual(range(600));
    expect(list.toArray()).toEqual(range(600));
  });

  it('is immutable: frozen, and drafts never change a sealed list', () => {
    const list = createMessageList([1, 2, 3]);
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(chunks(list)[0])).toBe(true);
    const draft = new MessageListDraft(list);
    draft.push(4);
    draft.set(0, 10);
    draft.removeAt(1);
    const next = draft.finish();
    expect(list.toArray()).toEqual([1, 2, 3]);
    expect(next.toArray()).toEqual([10, 3, 4]);
    // Mutating a returned slice does not touch the list.
    next.slice().push(99);
    expect(next.length).toBe(3);
  });

  it('shares unchanged chunks between versions: an append copies only the last chunk', () => {
    const base = createMessageList(range(100_000));
    const draft = new MessageListDraft(base);
    draft.push(100_000);
    const next = draft.finish();
    const before = chunks(base);
    const after = chunks(next);
    expect(after.length).toBe(before.length);
    let shared = 0;
    for (let i = 0; i < before.length; i++) if (before[i] === after[i]) shared += 1;
    expect(shared).toBe(before.length - 1); // everything but the tail chunk is shared
    expect(next.at(-1)).toBe(100_000);
    expect(base.length).toBe(100_000);
  });

  it('returns the same list when a draft made no change', () => {
    const base = createMessageList([1]);
    expect(new MessageListDraft(base).finish()).toBe(base);
  });

  it('keeps order through inserts, prepends and trims across chunk boundaries', () => {
    const draft = new MessageListDraft(createMessageList<number>());
    const model: number[] = [];
    for (const n of range(1000)) {
      draft.push(n * 2);
      model.push(n * 2);
    }
    // Fill the odd numbers in the middle: chunks grow and split.
    for (const n of range(400, 100)) {
      const value = n * 2 + 1;
      const at = model.indexOf(value - 1) + 1;
      draft.insert(at, value);
      model.splice(at, 0, value);
    }
    draft.prepend([-3, -2, -1]);
    model.unshift(-3, -2, -1);
    expect(draft.removeFirst(300)).toEqual(model.splice(0, 300));
    const list = draft.finish();
    expect(list.toArray()).toEqual(model);
    expect(list.length).toBe(model.length);
    for (const i of [0, 1, 255, 256, 511, 512, model.length - 1]) expect(list.at(i)).toBe(model[i]);
    // Chunks stay bounded after splits.
    expect(Math.max(...chunks(list).map((c) => c.length))).toBeLessThanOrEqual(512);
  });

  it('keeps working after finish(): later changes copy again', () => {
    const draft = new MessageListDraft(createMessageList([1, 2]));
    const first = draft.finish();
    draft.push(3);
    const second = draft.finish();
    draft.set(0, 9);
    const third = draft.finish();
    expect(first.toArray()).toEqual([1, 2]);
    expect(second.toArray()).toEqual([1, 2, 3]);
    expect(third.toArray()).toEqual([9, 2, 3]);
  });
});
