import { describe, expect, it, vi } from 'vitest';
import { Disposers } from './disposers.js';
import { Subscribable } from './Subscribable.js';

class Probe extends Subscribable<(n: number) => void> {
  opened = 0;
  closed = 0;
  changes = 0;
  emit(n: number) {
    for (const listener of this.listeners) listener(n);
  }
  protected override onSubscribe() {
    this.opened += 1;
  }
  protected override onUnsubscribe() {
    this.closed += 1;
  }
  protected override onListenersChange() {
    this.changes += 1;
  }
}

describe('Subscribable', () => {
  it('opens with the first subscriber and closes after the last', () => {
    const probe = new Probe();
    const offA = probe.subscribe(() => {});
    const offB = probe.subscribe(() => {});
    expect(probe.opened).toBe(1);
    offA();
    expect(probe.closed).toBe(0);
    offB();
    expect(probe.closed).toBe(1);
    expect(probe.hasListeners()).toBe(false);
    probe.subscribe(() => {});
    expect(probe.opened).toBe(2);
  });

  it('a disposer called twice is harmless and does not remove anyone else', () => {
    const probe = new Probe();
    const a = vi.fn();
    const b = vi.fn();
    const offA = probe.subscribe(a);
    probe.subscribe(b);
    offA();
    offA();
    probe.emit(1);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledWith(1);
    expect(probe.closed).toBe(0);
  });

  it('reports every real add and remove', () => {
    const probe = new Probe();
    const listener = () => {};
    const off = probe.subscribe(listener);
    probe.subscribe(listener); // already there
    expect(probe.changes).toBe(1);
    off();
    off();
    expect(probe.changes).toBe(2);
  });
});

describe('Disposers', () => {
  it('drains every disposer once, even when one throws', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const disposers = new Disposers();
    const a = vi.fn();
    const c = vi.fn();
    disposers.add(a);
    disposers.add(() => {
      throw new Error('boom');
    });
    disposers.add(c);
    expect(disposers.size).toBe(3);
    disposers.drain();
    disposers.drain();
    expect(a).toHaveBeenCalledTimes(1);
    expect(c).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(disposers.size).toBe(0);
    error.mockRestore();
  });
});
