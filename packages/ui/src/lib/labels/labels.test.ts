import { describe, expect, it } from 'vitest';
import { chatLabelsEn, chatLabelsJa, en, ja, mergeLabels } from './index.js';

describe('labels', () => {
  it('pluralises typing and new-message texts', () => {
    expect(chatLabelsEn.typing(['Alice'])).toBe('Alice is typing…');
    expect(chatLabelsEn.typing(['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
    expect(chatLabelsEn.typing(['A', 'B', 'C'])).toBe('3 people are typing…');
    expect(chatLabelsEn.jumpToLatest(1)).toBe('1 new message — jump to latest');
    expect(chatLabelsJa.typing(['A', 'B', 'C'])).toBe('3人が入力中…');
  });

  it('has the same keys in every locale', () => {
    for (const component of Object.keys(en) as (keyof typeof en)[]) {
      expect(Object.keys(ja[component]).sort()).toEqual(Object.keys(en[component]).sort());
    }
  });

  it('merges a partial override and ignores undefined entries', () => {
    const merged = mergeLabels(chatLabelsEn, { send: 'Go', retry: undefined });
    expect(merged.send).toBe('Go');
    expect(merged.retry).toBe('Retry');
    expect(mergeLabels(chatLabelsEn, undefined)).toBe(chatLabelsEn);
  });
});
