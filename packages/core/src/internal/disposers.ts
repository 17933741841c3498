/** One owner's disposers, drained together (socket.io's `subs` pattern). */
export class Disposers {
  #items: Array<() => void> = [];

  add(dispose: () => void): () => void {
    this.#items.push(dispose);
    return dispose;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Runs every disposer once; an error in one does not stop the others. */
  drain(): void {
    const items = this.#items;
    this.#items = [];
    for (const dispose of items) {
      try {
        dispose();
      } catch (error) {
        console.error('[wirekit] disposer failed', error);
      }
    }
  }
}
