/**
 * An immutable, ordered list of messages. Snapshots of a long chat share storage: a new
 * version copies only the chunks that changed (an append copies the last chunk and the chunk
 * table, never all 100k messages).
 *
 * @example
 * const { messages } = room.getSnapshot();
 * for (const m of messages.slice(-50)) render(m);
 */
export interface MessageList<T> extends Iterable<T> {
  readonly length: number;
  /** The item at `index`; negative indexes count from the end. */
  at(index: number): T | undefined;
  /** Like `Array.prototype.slice`: a new array of the items in `[start, end)`. */
  slice(start?: number, end?: number): T[];
  findIndex(predicate: (item: T, index: number) => boolean): number;
  findLastIndex(predicate: (item: T, index: number) => boolean): number;
  /** A fresh array of every item (O(n): prefer `slice` or iteration for long lists). */
  toArray(): T[];
}

/** Items per chunk: small enough that copying one is cheap, large enough that the table stays short. */
const CHUNK = 256;

type Chunk<T> = readonly T[];

/** The chunked storage behind {@link MessageList}. */
class ChunkedList<T> implements MessageList<T> {
  readonly length: number;
  /** @internal */
  readonly _chunks: readonly Chunk<T>[];
  /** Start index of each chunk. */
  readonly #starts: readonly number[];

  constructor(chunks: readonly Chunk<T>[]) {
    this._chunks = Object.freeze(chunks);
    const starts: number[] = [];
    let length = 0;
    for (const chunk of chunks) {
      starts.push(length);
      length += chunk.length;
    }
    this.#starts = starts;
    this.length = length;
    Object.freeze(this);
  }

  at(index: number): T | undefined {
    const i = index < 0 ? this.length + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.length) return undefined;
    const c = chunkOf(this.#starts, i);
    return this._chunks[c]?.[i - (this.#starts[c] ?? 0)];
  }

  slice(start = 0, end = this.length): T[] {
    const from = clampIndex(start, this.length);
    const to = clampIndex(end, this.length);
    const out: T[] = [];
    if (to <= from) return out;
    let c = chunkOf(this.#starts, from);
    let offset = from - (this.#starts[c] ?? 0);
    let remaining = to - from;
    while (remaining > 0) {
      const chunk = this._chunks[c];
      if (!chunk) break;
      const take = Math.min(remaining, chunk.length - offset);
      for (let k = 0; k < take; k++) out.push(chunk[offset + k] as T);
      remaining -= take;
      offset = 0;
      c += 1;
    }
    return out;
  }

  findIndex(predicate: (item: T, index: number) => boolean): number {
    let index = 0;
    for (const chunk of this._chunks) {
      for (const item of chunk) {
        if (predicate(item, index)) return index;
        index += 1;
      }
    }
    return -1;
  }

  findLastIndex(predicate: (item: T, index: number) => boolean): number {
    let index = this.length - 1;
    for (let c = this._chunks.length - 1; c >= 0; c--) {
      const chunk = this._chunks[c] as Chunk<T>;
      for (let k = chunk.length - 1; k >= 0; k--) {
        if (predicate(chunk[k] as T, index)) return index;
        index -= 1;
      }
    }
    return -1;
  }

  toArray(): T[] {
    return this.slice();
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const chunk of this._chunks) yield* chunk;
  }
}

function clampIndex(index: number, length: number): number {
  const i = Math.trunc(index) || 0;
  return i < 0 ? Math.max(0, length + i) : Math.min(i, length);
}

/** Index of the chunk holding item `index` (binary search over chunk starts). */
function chunkOf(starts: readonly number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const EMPTY = new ChunkedList<never>([]);

/**
 * Creates an immutable {@link MessageList} from items.
 *
 * @example
 * const list = createMessageList(['a', 'b']);
 * list.at(-1); // 'b'
 */
export function createMessageList<T>(items: Iterable<T> = []): MessageList<T> {
  const draft = new MessageListDraft<T>(EMPTY as MessageList<T>);
  for (const item of items) draft.push(item);
  return draft.finish();
}

/**
 * A mutable working copy of a {@link MessageList} (copy-on-write per chunk). Many changes in
 * one batch copy each touched chunk once; `finish()` seals a new list that shares the rest.
 *
 * @internal Used by the models; not part of the public API.
 */
export class MessageListDraft<T> {
  #chunks: Chunk<T>[];
  /** Chunks created or copied by this draft: safe to mutate until `finish()`. */
  #owned = new Set<Chunk<T>>();
  #starts: number[] | null = null;
  #length = 0;
  #base: MessageList<T>;
  #changed = false;

  constructor(base: MessageList<T>) {
    this.#base = base;
    this.#chunks = [];
    if (base instanceof ChunkedList) {
      this.#chunks = [...(base._chunks as Chunk<T>[])];
      this.#length = base.length;
    } else {
      for (const item of base) this.push(item);
      this.#changed = false;
    }
  }

  get length(): number {
    return this.#length;
  }

  at(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    const [c, k] = this.#locate(index);
    return this.#chunks[c]?.[k];
  }

  /** Appends at the end (the common case: copies only the last chunk). */
  push(item: T): void {
    const last = this.#chunks.length - 1;
    const tail = this.#chunks[last];
    if (tail && tail.length < CHUNK) this.#own(last).push(item);
    else this.#chunks.push(this.#fresh([item]));
    this.#grew(1, false);
  }

  /** Inserts before `index` (`index === length` appends). */
  insert(index: number, item: T): void {
    if (index >= this.#length) return this.push(item);
    const [c, k] = this.#locate(Math.max(0, index));
    const chunk = this.#own(c);
    chunk.splice(k, 0, item);
    if (chunk.length > 2 * CHUNK) {
      // Split so one chunk never grows without bound.
      const tail = chunk.splice(CHUNK);
      this.#chunks.splice(c + 1, 0, this.#fresh(tail));
    }
    this.#grew(1, true);
  }

  /** Inserts items (in order) before the first one. */
  prepend(items: readonly T[]): void {
    if (items.length === 0) return;
    const fresh: Chunk<T>[] = [];
    for (let i = 0; i < items.length; i += CHUNK)
      fresh.push(this.#fresh(items.slice(i, i + CHUNK)));
    this.#chunks.unshift(...fresh);
    this.#grew(items.length, true);
  }

  set(index: number, item: T): void {
    if (index < 0 || index >= this.#length) return;
    const [c, k] = this.#locate(index);
    this.#own(c)[k] = item;
    this.#changed = true;
  }

  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    const [c, k] = this.#locate(index);
    const chunk = this.#own(c);
    const [removed] = chunk.splice(k, 1);
    if (chunk.length === 0) this.#chunks.splice(c, 1);
    this.#grew(-1, true);
    return removed;
  }

  /** Removes the first `count` items; whole chunks are dropped without copying. */
  removeFirst(count: number): T[] {
    const removed: T[] = [];
    let left = Math.min(count, this.#length);
    while (left > 0) {
      const first = this.#chunks[0];
      if (!first) break;
      if (first.length <= left) {
        this.#chunks.shift();
        removed.push(...first);
        left -= first.length;
      } else {
        removed.push(...this.#own(0).splice(0, left));
        left = 0;
      }
    }
    if (removed.length > 0) this.#grew(-removed.length, true);
    return removed;
  }

  /** Seals the draft: a new list, or the base list itself when nothing changed. */
  finish(): MessageList<T> {
    if (!this.#changed) return this.#base;
    for (const chunk of this.#owned) Object.freeze(chunk);
    this.#owned = new Set();
    this.#base = new ChunkedList(this.#chunks.slice());
    this.#changed = false;
    return this.#base;
  }

  #grew(delta: number, shifted: boolean): void {
    this.#length += delta;
    this.#changed = true;
    // A push at the end only adds a start when it opened a chunk; recompute lazily otherwise.
    if (shifted || this.#starts === null || this.#starts.length !== this.#chunks.length) {
      this.#starts = null;
    }
  }

  #locate(index: number): [number, number] {
    const starts = (this.#starts ??= this.#computeStarts());
    const c = chunkOf(starts, index);
    return [c, index - (starts[c] ?? 0)];
  }

  #computeStarts(): number[] {
    const starts: number[] = [];
    let n = 0;
    for (const chunk of this.#chunks) {
      starts.push(n);
      n += chunk.length;
    }
    return starts;
  }

  #fresh(items: T[]): T[] {
    this.#owned.add(items);
    return items;
  }

  /** The chunk at `c`, copied first if it is shared with a sealed list. */
  #own(c: number): T[] {
    const chunk = this.#chunks[c] as Chunk<T>;
    if (this.#owned.has(chunk)) return chunk as T[];
    const copy = this.#fresh(chunk.slice());
    this.#chunks[c] = copy;
    return copy;
  }
}
