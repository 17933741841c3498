import { afterEach, describe, expect, it, vi } from 'vitest';
import { NetworkStatus } from './network.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('NetworkStatus', () => {
  it('is inert without a window (SSR, Node)', () => {
    vi.stubGlobal('window', undefined);
    const network = new NetworkStatus();
    const listener = vi.fn();
    const off = network.subscribe(listener);
    expect(network.hasListeners()).toBe(true);
    off();
    expect(network.hasListeners()).toBe(false);
  });

  it('adds one pair of window listeners for all subscribers and removes them after the last', () => {
    const target = new EventTarget();
    const add = vi.spyOn(target, 'addEventListener');
    const remove = vi.spyOn(target, 'removeEventListener');
    vi.stubGlobal('window', target);
    const network = new NetworkStatus();
    const a = vi.fn();
    const b = vi.fn();
    const offA = network.subscribe(a);
    const offB = network.subscribe(b);
    expect(add).toHaveBeenCalledTimes(2); // online + offline, once
    target.dispatchEvent(new Event('offline'));
    target.dispatchEvent(new Event('online'));
    expect(a.mock.calls).toEqual([[false], [true]]);
    expect(b.mock.calls).toEqual([[false], [true]]);
    offA();
    expect(remove).not.toHaveBeenCalled();
    offB();
    expect(remove).toHaveBeenCalledTimes(2);
    target.dispatchEvent(new Event('online'));
    expect(a).toHaveBeenCalledTimes(2);
  });

  it('reads navigator.onLine, assuming online when it is unknown', () => {
    const network = new NetworkStatus();
    vi.stubGlobal('navigator', { onLine: false });
    expect(network.isOnline()).toBe(false);
    vi.stubGlobal('navigator', { onLine: true });
    expect(network.isOnline()).toBe(true);
    vi.stubGlobal('navigator', undefined);
    expect(network.isOnline()).toBe(true);
  });
});
