import { Subscribable } from './Subscribable.js';

/**
 * The browser's online/offline signal. One pair of window listeners for all connections,
 * added with the first subscriber and removed after the last.
 */
export class NetworkStatus extends Subscribable<(online: boolean) => void> {
  #cleanup: (() => void) | undefined;

  isOnline(): boolean {
    return typeof navigator === 'undefined' || navigator.onLine !== false;
  }

  protected override onSubscribe(): void {
    if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return;
    const online = () => this.#emit(true);
    const offline = () => this.#emit(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    this.#cleanup = () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  }

  protected override onUnsubscribe(): void {
    this.#cleanup?.();
    this.#cleanup = undefined;
  }

  #emit(online: boolean): void {
    for (const listener of [...this.listeners]) listener(online);
  }
}

export const networkStatus = new NetworkStatus();
