import { describe, expect, it } from 'vitest';
import { payloadSize } from './size.js';

describe('payloadSize', () => {
  it('measures strings, JSON and binary', () => {
    expect(payloadSize(undefined)).toBe(0);
    expect(payloadSize(null)).toBe(0);
    expect(payloadSize('hello')).toBe(5);
    expect(payloadSize({ a: 1 })).toBe(7);
    expect(payloadSize(new ArrayBuffer(16))).toBe(16);
    expect(payloadSize(new Uint8Array(8))).toBe(8);
  });

  it('returns -1 for payloads that cannot be serialized', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(payloadSize(cyclic)).toBe(-1);
    expect(payloadSize({ big: 1n })).toBe(-1);
  });
});
