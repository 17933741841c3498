/** A listener registry whose first subscriber opens resources and whose last one closes them. */
export class Subscribable<TListener extends (...args: never[]) => void> {
  protected readonly listeners = new Set<TListener>();

  /** Adds a listener; returns its disposer. Calling the disposer twice is harmless. */
  subscribe = (listener: TListener): (() => void) => {
    const added = !this.listeners.has(listener);
    this.listeners.add(listener);
    if (added) this.onListenersChange();
    if (this.listeners.size === 1) this.onSubscribe();
    return () => {
      if (!this.listeners.delete(listener)) return;
      this.onListenersChange();
      if (this.listeners.size === 0) this.onUnsubscribe();
    };
  };

  hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  protected onSubscribe(): void {}

  /** After every add or remove (e.g. to refresh a snapshot that counts listeners). */
  protected onListenersChange(): void {}

  protected onUnsubscribe(): void {}
}
