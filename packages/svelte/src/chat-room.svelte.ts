import {
  ChatRoom,
  type ChatItem,
  type ChatRoomOptions,
  type ChatRoomSnapshot,
  type ConnectionState,
  type MessageList,
} from '@wirekit/core';
import type { UserRef } from '@wirekit/core/protocol';
import { resolvePool } from './context.js';
import { ModelBinding } from './internal/model-binding.svelte.js';
import { read, type MaybeGetter, type PoolBindingOptions } from './types.js';

/** Options of {@link useChatRoom}: the core `ChatRoomOptions` (minus `room`) plus pool/key. */
export interface UseChatRoomOptions extends PoolBindingOptions, Omit<ChatRoomOptions, 'room'> {}

/**
 * A chat room as runes. Joins when mounted, leaves on unmount; a room getter re-targets it
 * (leaves the old room, joins the new one) over the same pooled connection.
 */
export class ReactiveChatRoom {
  readonly #binding: ModelBinding<string, ChatRoomSnapshot, ChatRoom>;

  constructor(room: MaybeGetter<string>, options: UseChatRoomOptions = {}) {
    const { pool, key = '/', ...rest } = options;
    this.#binding = new ModelBinding(
      resolvePool(pool),
      key,
      () => read(room),
      (connection, name) => new ChatRoom(connection, { ...rest, room: name }),
    );
  }

  /** The whole core snapshot. */
  get snapshot(): ChatRoomSnapshot {
    return this.#binding.snapshot;
  }

  /** The room currently shown. */
  get room(): string {
    return this.snapshot.room;
  }

  /** Messages ordered by server time (pending and failed own sends at the end). */
  get messages(): MessageList<ChatItem> {
    return this.snapshot.messages;
  }

  /** `idle | joining | joined | error`. */
  get status(): ChatRoomSnapshot['status'] {
    return this.snapshot.status;
  }

  /** Why `status` is `error`, or the last failed request. */
  get error(): ChatRoomSnapshot['error'] {
    return this.snapshot.error;
  }

  /** The state of the underlying connection. */
  get connection(): ConnectionState {
    return this.snapshot.connection;
  }

  /** The signed-in user as the server knows them, once known. */
  get self(): UserRef | null {
    return this.snapshot.self;
  }

  /** Users typing right now (expire on their own). */
  get typing(): readonly UserRef[] {
    return this.snapshot.typing;
  }

  /** Users present in the room (empty in rooms larger than the server's presence list limit). */
  get members(): readonly UserRef[] {
    return this.snapshot.members;
  }

  /** Distinct users present in the room, also where `members` is not listed (large rooms). */
  get memberCount(): number {
    return this.snapshot.memberCount;
  }

  /** Whether older history exists on the server. */
  get hasOlder(): boolean {
    return this.snapshot.hasOlder;
  }

  get loadingOlder(): boolean {
    return this.snapshot.loadingOlder;
  }

  /**
   * Sends a message (pending at once, then sent or failed). Returns its client id.
   * @throws WirekitError `invalid` (blank / too long) or `closed` (not mounted, SSR, disposed)
   */
  send(text: string): string {
    return this.#binding.require('send').send(text);
  }

  /** Sends a failed message again under the same client id. */
  retry(clientId: string): void {
    this.#binding.live?.retry(clientId);
  }

  /** Edits an own message. */
  edit(id: string, text: string): Promise<void> {
    return this.#call('edit', (room) => room.edit(id, text));
  }

  /** Deletes an own message. */
  remove(id: string): Promise<void> {
    return this.#call('remove', (room) => room.remove(id));
  }

  /** Signals that the user is typing (throttled; dropped while offline). */
  notifyTyping(): void {
    this.#binding.live?.notifyTyping();
  }

  /** Fetches the previous page of history. */
  loadOlder(): Promise<void> {
    return this.#call('loadOlder', (room) => room.loadOlder());
  }

  /** Leaves the room and releases the lease now. Only needed outside a component. */
  dispose(): void {
    this.#binding.dispose();
  }

  async #call(action: string, run: (room: ChatRoom) => Promise<void>): Promise<void> {
    await run(this.#binding.require(action));
  }
}

/**
 * A reactive chat room on the pool's connection.
 *
 * @param room the room name, or a getter to follow a prop (`() => data.room`)
 * @example
 * ```svelte
 * <script lang="ts">
 *   import { useChatRoom } from '@wirekit/svelte';
 *   let { data } = $props();
 *   const chat = useChatRoom(() => data.room);
 *   let text = $state('');
 * </script>
 * <ul>{#each chat.messages as m (m.id)}<li>{m.user.name}: {m.text}</li>{/each}</ul>
 * <form onsubmit={(e) => { e.preventDefault(); chat.send(text); text = ''; }}>
 *   <input bind:value={text} oninput={() => chat.notifyTyping()} />
 * </form>
 * ```
 */
export function useChatRoom(
  room: MaybeGetter<string>,
  options?: UseChatRoomOptions,
): ReactiveChatRoom {
  return new ReactiveChatRoom(room, options);
}
