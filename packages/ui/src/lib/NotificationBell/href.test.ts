import { describe, expect, it } from 'vitest';
import { safeHref } from './href.js';

describe('safeHref', () => {
  it('keeps http(s), protocol-relative and relative links', () => {
    for (const url of ['https://a.example/x?y=1', 'http://a.example', '/inbox/1', 'inbox', '#x'])
      expect(safeHref(url)).toBe(url);
    expect(safeHref('  /trim  ')).toBe('/trim');
  });

  it('drops every other scheme, however it is spelled', () => {
    for (const url of [
      'javascript:alert(1)',
      ' JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      'file:///etc/passwd',
      '',
      '   ',
      undefined,
    ])
      expect(safeHref(url)).toBeNull();
  });
});
