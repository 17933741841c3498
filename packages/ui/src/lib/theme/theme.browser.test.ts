import { afterEach, describe, expect, it } from 'vitest';
import { cdp } from 'vitest/browser';
import './theme.css';

const LIGHT_BG = '#ffffff';
const DARK_BG = '#121417';

let page: HTMLElement | undefined;
function clear() {
  page?.remove();
  page = undefined;
}
afterEach(clear);

/** Builds `<div data-theme=a><div data-theme=b><div class="wk-root" data-theme=c>` (undefined: no attribute). */
function nest(themes: (string | undefined)[]): HTMLElement {
  let parent: HTMLElement = document.body;
  let el!: HTMLElement;
  for (const theme of themes) {
    el = document.createElement('div');
    if (theme) el.dataset.theme = theme;
    parent.append(el);
    parent = el;
    page ??= el;
  }
  el.classList.add('wk-root');
  return el;
}

const bg = (el: HTMLElement) => getComputedStyle(el).getPropertyValue('--wkx-bg').trim();

describe('data-theme', () => {
  it('on the component wins over a page-wide data-theme', () => {
    expect(bg(nest(['dark', 'light']))).toBe(LIGHT_BG);
    clear();
    expect(bg(nest(['light', 'dark']))).toBe(DARK_BG);
  });

  it('the nearest ancestor wins', () => {
    expect(bg(nest(['dark', 'light', undefined]))).toBe(LIGHT_BG);
    clear();
    expect(bg(nest(['light', 'dark', undefined]))).toBe(DARK_BG);
  });

  it('forces a scheme over nothing set', () => {
    expect(bg(nest(['dark', undefined]))).toBe(DARK_BG);
    clear();
    expect(bg(nest(['light']))).toBe(LIGHT_BG);
  });

  it('wins over a dark system preference, and the preference applies without one', async () => {
    const emulate = (value: string) =>
      cdp().send('Emulation.setEmulatedMedia', {
        features: [{ name: 'prefers-color-scheme', value }],
      });
    await emulate('dark');
    try {
      expect(matchMedia('(prefers-color-scheme: dark)').matches).toBe(true);
      expect(bg(nest([undefined]))).toBe(DARK_BG);
      clear();
      expect(bg(nest(['light']))).toBe(LIGHT_BG);
      clear();
      expect(bg(nest(['light', undefined]))).toBe(LIGHT_BG);
    } finally {
      await emulate('');
    }
  });
});
