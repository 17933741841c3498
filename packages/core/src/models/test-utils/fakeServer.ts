/**
 * A small in-memory stand-in for @wirekit/server over the memory transport, for unit tests of
 * the models with fake timers. The real-server flows are tested in packages/server.
 */
import { Connection } from '../../connection/Connection.js';
import type { Clock } from '../../internal/clock.js';
import type { ChatMessage, Notification, UserRef } from '../../protocol/types.js';
import { DEFAULT_LIMITS } from '../../protocol/limits.js';
import { createMemoryServer, memory, type MemoryPeer } from '../../transports/memory.js';

export const ME: UserRef = { id: 'me', name: 'Me' };
export const OTHER: UserRef = { id: 'other', name: 'Other' };

export function message(seq: number, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m${seq}`,
    room: 'lobby',
    seq,
    text: `text ${seq}`,
    user: OTHER,
    createdAt: 1_000 + seq,
    ...extra,
  };
}

export function notification(n: number, extra: Partial<Notification> = {}): Notification {
  return { id: `n${n}`, title: `title ${n}`, createdAt: 1_000 + n, read: false, ...extra };
}

type Reply = (data: Record<string, unknown>) => unknown;

/** A scripted server: history in `messages`, replies overridable per event via `replies`. */
export function createFakeServer() {
  const server = createMemoryServer();
  const messages: ChatMessage[] = [];
  const received: Array<{ event: string; data: unknown; cid: string | undefined }> = [];
  const replies = new Map<string, Reply>();
  const peers = new Set<MemoryPeer>();
  let notifications: Notification[] = [];
  /** Room revision and message id → revision of its last change, as a tracking store keeps. */
  const changes = { rev: 0, byId: new Map<string, number>(), pageLimit: 100 };

  const page = (room: unknown, before: number, limit: number) => {
    const older = messages.filter((m) => m.room === room && m.seq < before);
    const slice = older.slice(-limit);
    return {
      messages: slice,
      nextCursor: older.length > slice.length && slice[0] ? String(slice[0].seq) : null,
    };
  };

  const defaults: Record<string, Reply> = {
    'chat:join': (d) => ({
      ok: true,
      room: d.room,
      ...page(d.room, Infinity, (d.limit as number | undefined) ?? 50),
      members: [OTHER, ME],
      rev: changes.rev,
    }),
    'chat:changes': (d) => {
      const since = d.since as number;
      const changed = [...changes.byId].filter(([, rev]) => rev > since);
      const slice = changed.slice(0, changes.pageLimit);
      const more = changed.length > slice.length;
      return {
        ok: true,
        room: d.room,
        messages: slice.map(([id]) => messages.find((m) => m.id === id)!),
        rev: more ? slice.at(-1)![1] : changes.rev,
        more,
      };
    },
    'chat:history': (d) => ({
      ok: true,
      room: d.room,
      ...page(d.room, Number(d.before ?? Infinity), (d.limit as number | undefined) ?? 50),
    }),
    'chat:send': (d) => {
      const stored = message((messages.at(-1)?.seq ?? 0) + 1, {
        id: `s${messages.length + 1}`,
        text: d.text as string,
        user: ME,
        clientId: d.clientId as string,
      });
      messages.push(stored);
      return { ok: true, message: stored, duplicate: false };
    },
    'chat:leave': (d) => ({ ok: true, room: d.room }),
    // Newest first; the cursor is the createdAt of the last item handed out.
    'notify:list': (d) => {
      const before = Number(d.before ?? Infinity);
      const older = notifications.filter((n) => n.createdAt < before);
      const items = older.slice(0, (d.limit as number | undefined) ?? 50);
      return {
        ok: true,
        items,
        unread: notifications.filter((n) => !n.read).length,
        nextCursor: older.length > items.length ? String(items.at(-1)!.createdAt) : null,
      };
    },
    'notify:read': () => ({ ok: true, unread: 0 }),
    'notify:read-all': () => ({ ok: true, unread: 0 }),
    'notify:dismiss': () => ({ ok: true, unread: 0 }),
  };

  server.onConnection((peer) => {
    peers.add(peer);
    peer.onClose(() => peers.delete(peer));
    peer.emit('wk:hello', { protocol: 1, user: ME, limits: DEFAULT_LIMITS });
    peer.onAny((event, data, meta, ack) => {
      received.push({ event, data, cid: meta?.cid });
      const reply = replies.get(event) ?? defaults[event];
      // A reply of `undefined` means "never ack" (a lost ack).
      const out = reply?.((data ?? {}) as Record<string, unknown>);
      // A promise delays the ack until it settles (a slow server).
      if (out instanceof Promise) void out.then((value) => ack?.(value));
      else if (out !== undefined) ack?.(out);
    });
  });

  return {
    server,
    messages,
    received,
    replies,
    changes,
    /** Edits or deletes a stored message while no client may be listening (no broadcast). */
    change(id: string, patch: { text: string } | { deleted: true }) {
      const index = messages.findIndex((m) => m.id === id);
      const current = messages[index]!;
      changes.rev += 1;
      const version = (current.version ?? 0) + 1;
      messages[index] =
        'deleted' in patch
          ? { ...current, text: '', deletedAt: 5_000 + changes.rev, version }
          : { ...current, text: patch.text, editedAt: 5_000 + changes.rev, version };
      changes.byId.delete(id);
      changes.byId.set(id, changes.rev);
    },
    setNotifications(items: Notification[]) {
      notifications = items;
    },
    /** Sends an event to every connected client. */
    emit(event: string, data: unknown) {
      for (const peer of peers) peer.emit(event, data);
    },
    connection(clock?: Clock) {
      const connection = new Connection({
        key: '/',
        url: 'memory://',
        transport: memory(server),
        heartbeat: false,
        backoff: { initialDelay: 10, maxDelay: 10, jitter: 0 },
        ...(clock ? { clock } : {}),
      });
      return connection;
    },
    sent(event: string) {
      return received.filter((r) => r.event === event);
    },
  };
}
