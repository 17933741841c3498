import { describe, expect, it } from 'vitest';
import type { ChatItem } from '@wirekit/core';
import { continuesGroup, formatDay, linkify, safeHref } from './format.js';

const item = (user: string, createdAt: number): ChatItem =>
  ({
    id: `${user}-${createdAt}`,
    room: 'r',
    seq: 1,
    text: 'x',
    user: { id: user },
    createdAt,
    status: 'sent',
    clientId: null,
    error: null,
    own: false,
  }) as ChatItem;

describe('linkify', () => {
  it('links http(s) URLs and keeps everything else as text', () => {
    expect(linkify('see https://example.com/a?b=1, ok')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', ok' },
    ]);
    expect(linkify('javascript:alert(1) data:text/html,<b>x</b> ftp://x.org')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) data:text/html,<b>x</b> ftp://x.org' },
    ]);
  });

  it('drops trailing punctuation but keeps balanced parentheses', () => {
    expect(linkify('(https://en.wikipedia.org/wiki/Foo_(bar)).')[1]).toEqual({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/Foo_(bar)',
      href: 'https://en.wikipedia.org/wiki/Foo_(bar)',
    });
  });

  it('does not let quotes or angle brackets into an href', () => {
    const [, link] = linkify('x https://a.example/"onmouseover="alert(1)');
    expect(link).toEqual({ kind: 'link', text: 'https://a.example/', href: 'https://a.example/' });
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('HTTPS://EXAMPLE.com')).toBe('https://example.com/');
  });
});

describe('grouping and days', () => {
  it('groups one author within five minutes on the same day', () => {
    const t = new Date(2026, 0, 10, 12, 0).getTime();
    expect(continuesGroup(undefined, item('a', t))).toBe(false);
    expect(continuesGroup(item('a', t), item('a', t + 60_000))).toBe(true);
    expect(continuesGroup(item('a', t), item('b', t + 60_000))).toBe(false);
    expect(continuesGroup(item('a', t), item('a', t + 6 * 60_000))).toBe(false);
  });

  it('names today and yesterday', () => {
    const now = new Date(2026, 0, 10, 12, 0).getTime();
    const labels = { today: 'Today', yesterday: 'Yesterday' };
    expect(formatDay(now - 3_600_000, now, labels)).toBe('Today');
    expect(formatDay(now - 86_400_000, now, labels)).toBe('Yesterday');
    expect(formatDay(now - 3 * 86_400_000, now, labels, 'en-US')).toBe(
      'Wednesday, January 7, 2026',
    );
  });
});
