import type { Ack, ChatJoinResult, ChatPresenceEvent } from '@wirekit/core/protocol';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ok, record, startServer, type TestServer } from './test-utils/harness.js';

/** Any `token-<id>` is user `<id>`. */
const authenticate = (token: string) =>
  token.startsWith('token-') ? { id: token.slice(6), name: token.slice(6) } : null;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type View = { count: number | undefined; members: number | undefined };

/** Joins with a callback ack, so acks and presence events land in one list in wire order. */
function join(socket: ClientSocket, timeline: View[]): Promise<ChatJoinResult> {
  return new Promise((resolve, reject) => {
    socket
      .timeout(10_000)
      .emit('chat:join', { room: 'storm' }, (error: Error | null, ack: Ack<ChatJoinResult>) => {
        if (error) return reject(error);
        try {
          const result = ok(ack);
          timeline.push({ count: result.memberCount, members: result.members.length });
          resolve(result);
        } catch (failure) {
          reject(failure instanceof Error ? failure : new Error(String(failure)));
        }
      });
  });
}

describe('a join storm: n clients join one room at once', () => {
  it('acks every join and sends each client O(n / window) presence updates, not O(n)', async () => {
    const n = 300;
    server = await startServer({ authenticate, presenceBatchMs: 100, presenceListLimit: 1000 });
    const test = server;
    const sockets: ClientSocket[] = await Promise.all(
      Array.from({ length: n }, (_, i) => test.connect(`u${i}`)),
    );
    const seen = sockets.map((socket) => record<ChatPresenceEvent>(socket, 'chat:presence'));
    const timelines = sockets.map((socket): View[] => {
      const timeline: View[] = [];
      socket.on('chat:presence', (event: ChatPresenceEvent) => {
        if ('count' in event) timeline.push({ count: event.count, members: event.members?.length });
      });
      return timeline;
    });

    // All at once: no batches, no waiting between joins.
    const joined = await Promise.all(sockets.map((socket, i) => join(socket, timelines[i] ?? [])));
    expect(joined).toHaveLength(n);
    for (const ack of joined) {
      expect(ack.memberCount).toBeGreaterThan(0);
      expect(ack.members).toHaveLength(ack.memberCount ?? -1);
    }

    // The window's update goes out (no timer left), then every client has seen it.
    await expect.poll(() => test.wirekit.chat.presence.pending).toBe(0);
    expect(test.wirekit.chat.presence.broadcasts).toBeGreaterThanOrEqual(1);
    // What each client shows last (ack or update, in arrival order) is the full room.
    await expect
      .poll(() => timelines.map((timeline) => timeline.at(-1)), { timeout: 5000 })
      .toEqual(Array.from({ length: n }, () => ({ count: n, members: n })));

    const perClient = seen.map((events) => events.length);
    const broadcasts = test.wirekit.health().counters.presenceBroadcasts;
    // One-per-join presence would be n - 1 messages per client and n broadcasts.
    expect(Math.max(...perClient)).toBeLessThan(n / 5);
    expect(broadcasts).toBeLessThan(n / 5);
    expect(Math.max(...perClient)).toBeLessThanOrEqual(broadcasts);
    // Joins that arrive together share a listing of the room for their acks.
    expect(test.wirekit.chat.presence.flushes).toBeLessThan(n / 2);

    // Everyone leaves at once: again a handful of updates; the server keeps no windows.
    const last = sockets.pop() as ClientSocket;
    const lastSeen = seen[n - 1] ?? [];
    const before = lastSeen.length;
    for (const socket of sockets) socket.disconnect();
    await expect
      .poll(() => {
        const update = lastSeen.at(-1);
        return update && 'count' in update ? update.count : undefined;
      })
      .toBe(1);
    expect(lastSeen.length - before).toBeLessThan(n / 5);
    last.disconnect();
    await expect.poll(() => test.wirekit.chat.presence.pending).toBe(0);
  });
});
