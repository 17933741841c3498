import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOX, Outbox, type OutboxEntry } from './outbox.js';

function entry(cid: string, bytes = 10, extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    cid,
    event: 'e',
    data: cid,
    bytes,
    enqueuedAt: 0,
    expiresAt: Infinity,
    ack: false,
    ...extra,
  };
}

const cids = (entries: readonly OutboxEntry[]) => entries.map((e) => e.cid);

describe('Outbox', () => {
  it('has documented defaults', () => {
    expect(new Outbox().options).toEqual(DEFAULT_OUTBOX);
    expect(DEFAULT_OUTBOX.overflow).toBe('drop-oldest');
  });

  it('keeps send order and tracks count and bytes', () => {
    const box = new Outbox();
    for (const [cid, bytes] of [
      ['a', 5],
      ['b', 7],
      ['c', 11],
    ] as const) {
      expect(box.push(entry(cid, bytes))).toEqual({ accepted: true, evicted: [] });
    }
    expect(cids(box.entries())).toEqual(['a', 'b', 'c']);
    expect(box.size).toBe(3);
    expect(box.bytes).toBe(23);
    expect(box.has('b')).toBe(true);
    expect(box.has('z')).toBe(false);
  });

  it('entries() is a copy: mutating it does not touch the queue', () => {
    const box = new Outbox();
    box.push(entry('a'));
    box.entries().pop();
    expect(box.size).toBe(1);
  });

  describe('bounds', () => {
    it('is bounded by message count', () => {
      const box = new Outbox({ maxMessages: 2, overflow: 'reject' });
      expect(box.push(entry('a')).accepted).toBe(true);
      expect(box.push(entry('b')).accepted).toBe(true);
      expect(box.push(entry('c'))).toEqual({ accepted: false, evicted: [] });
      expect(cids(box.entries())).toEqual(['a', 'b']);
    });

    it('is bounded by bytes, inclusive of the limit', () => {
      const box = new Outbox({ maxBytes: 20, overflow: 'reject' });
      expect(box.push(entry('a', 12)).accepted).toBe(true);
      expect(box.push(entry('b', 8)).accepted).toBe(true);
      expect(box.bytes).toBe(20);
      expect(box.push(entry('c', 1)).accepted).toBe(false);
      expect(box.push(entry('zero', 0)).accepted).toBe(true);
      expect(box.bytes).toBe(20);
    });

    it('refuses a single message larger than maxBytes under every policy, evicting nothing', () => {
      for (const overflow of ['drop-oldest', 'drop-newest', 'reject'] as const) {
        const box = new Outbox({ maxBytes: 100, overflow });
        box.push(entry('a', 40));
        expect(box.push(entry('huge', 101))).toEqual({ accepted: false, evicted: [] });
        expect(cids(box.entries())).toEqual(['a']);
        expect(box.bytes).toBe(40);
      }
    });

    it('accepts nothing when maxMessages is 0', () => {
      const box = new Outbox({ maxMessages: 0 });
      expect(box.push(entry('a'))).toEqual({ accepted: false, evicted: [] });
      expect(box.size).toBe(0);
    });
  });

  describe('overflow policies', () => {
    it('drop-oldest evicts the oldest first and reports what it evicted', () => {
      const box = new Outbox({ maxMessages: 3, overflow: 'drop-oldest' });
      for (const cid of ['a', 'b', 'c']) box.push(entry(cid));
      const first = box.push(entry('d'));
      expect(first.accepted).toBe(true);
      expect(cids(first.evicted)).toEqual(['a']);
      const second = box.push(entry('e'));
      expect(cids(second.evicted)).toEqual(['b']);
      expect(cids(box.entries())).toEqual(['c', 'd', 'e']);
      expect(box.size).toBe(3);
      expect(box.bytes).toBe(30);
    });

    it('drop-oldest evicts as many as needed to fit the bytes, in order', () => {
      const box = new Outbox({ maxBytes: 100, overflow: 'drop-oldest' });
      box.push(entry('a', 30));
      box.push(entry('b', 30));
      box.push(entry('c', 30));
      const result = box.push(entry('d', 65));
      expect(result.accepted).toBe(true);
      expect(cids(result.evicted)).toEqual(['a', 'b']);
      expect(cids(box.entries())).toEqual(['c', 'd']);
      expect(box.bytes).toBe(95);
    });

    it('drop-oldest can evict everything when the newcomer needs the whole budget', () => {
      const box = new Outbox({ maxBytes: 100, overflow: 'drop-oldest' });
      box.push(entry('a', 10));
      box.push(entry('b', 10));
      const result = box.push(entry('all', 100));
      expect(cids(result.evicted)).toEqual(['a', 'b']);
      expect(cids(box.entries())).toEqual(['all']);
      expect(box.bytes).toBe(100);
    });

    it('drop-newest refuses the incoming message and keeps the queue', () => {
      const box = new Outbox({ maxMessages: 2, overflow: 'drop-newest' });
      box.push(entry('a'));
      box.push(entry('b'));
      expect(box.push(entry('c'))).toEqual({ accepted: false, evicted: [] });
      expect(cids(box.entries())).toEqual(['a', 'b']);
      expect(box.bytes).toBe(20);
    });

    it('reject refuses the incoming message and keeps the queue', () => {
      const box = new Outbox({ maxBytes: 15, overflow: 'reject' });
      box.push(entry('a', 10));
      expect(box.push(entry('b', 10))).toEqual({ accepted: false, evicted: [] });
      expect(cids(box.entries())).toEqual(['a']);
      expect(box.bytes).toBe(10);
    });
  });

  describe('TTL', () => {
    it('expire(now) removes exactly the entries whose deadline has passed, in order', () => {
      const box = new Outbox();
      box.push(entry('a', 10, { expiresAt: 100 }));
      box.push(entry('b', 10, { expiresAt: 300 }));
      box.push(entry('c', 10, { expiresAt: 200 }));
      box.push(entry('d', 10));
      expect(box.expire(99)).toEqual([]);
      expect(cids(box.expire(100))).toEqual(['a']);
      expect(cids(box.expire(1_000))).toEqual(['b', 'c']);
      expect(cids(box.entries())).toEqual(['d']);
      expect(box.bytes).toBe(10);
      expect(box.expire(Number.MAX_SAFE_INTEGER)).toEqual([]);
    });

    it('nextExpiry() is the earliest deadline, or Infinity', () => {
      const box = new Outbox();
      expect(box.nextExpiry()).toBe(Infinity);
      box.push(entry('never'));
      expect(box.nextExpiry()).toBe(Infinity);
      box.push(entry('late', 10, { expiresAt: 500 }));
      box.push(entry('soon', 10, { expiresAt: 200 }));
      expect(box.nextExpiry()).toBe(200);
      box.remove('soon');
      expect(box.nextExpiry()).toBe(500);
      box.expire(500);
      expect(box.nextExpiry()).toBe(Infinity);
    });

    it('a NaN deadline never expires and does not hide the others', () => {
      const box = new Outbox();
      box.push(entry('nan', 10, { expiresAt: Number.NaN }));
      expect(box.nextExpiry()).toBe(Infinity);
      box.push(entry('soon', 10, { expiresAt: 200 }));
      expect(box.nextExpiry()).toBe(200);
      expect(box.expire(Number.MAX_SAFE_INTEGER).map((e) => e.cid)).toEqual(['soon']);
      expect(box.has('nan')).toBe(true);
    });
  });

  describe('remove and clear', () => {
    it('remove returns the entry and keeps the byte count right', () => {
      const box = new Outbox();
      box.push(entry('a', 3));
      box.push(entry('b', 4));
      box.push(entry('c', 5));
      expect(box.remove('b')?.cid).toBe('b');
      expect(box.bytes).toBe(8);
      expect(box.remove('b')).toBeUndefined();
      expect(box.bytes).toBe(8);
      expect(box.remove('nope')).toBeUndefined();
      expect(cids(box.entries())).toEqual(['a', 'c']);
    });

    it('a removed message frees room for a new one', () => {
      const box = new Outbox({ maxMessages: 1, maxBytes: 10, overflow: 'reject' });
      box.push(entry('a', 10));
      expect(box.push(entry('b', 10)).accepted).toBe(false);
      box.remove('a');
      expect(box.push(entry('b', 10)).accepted).toBe(true);
    });

    it('clear returns everything in order and resets the accounting', () => {
      const box = new Outbox();
      box.push(entry('a', 3));
      box.push(entry('b', 4));
      expect(cids(box.clear())).toEqual(['a', 'b']);
      expect(box.size).toBe(0);
      expect(box.bytes).toBe(0);
      expect(box.clear()).toEqual([]);
      box.push(entry('c', 6));
      expect(box.bytes).toBe(6);
    });
  });
});
