import type { ChatJoinResult, ChatPresenceEvent } from '@wirekit/core/protocol';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ok, record, request, startServer, type TestServer } from './test-utils/harness.js';

/** Any `token-<id>` is user `<id>`. */
const authenticate = (token: string) =>
  token.startsWith('token-') ? { id: token.slice(6), name: token.slice(6) } : null;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The last presence count and sorted member ids a client has seen, ack included. */
function lastView(ack: ChatJoinResult, seen: ChatPresenceEvent[]): string {
  const last = seen.at(-1);
  // Updates before the ack are older than it (the ack goes out after its window's update).
  const source = last && 'count' in last ? { count: last.count, members: last.members } : undefined;
  const count = source?.count ?? ack.memberCount;
  const members = source ? source.members : ack.members;
  return `${count}:${members?.length ?? 0}`;
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

    // All at once: no batches, no waiting between joins.
    const acks = await Promise.all(
      sockets.map((socket) => request<ChatJoinResult>(socket, 'chat:join', { room: 'storm' })),
    );
    const joined = acks.map(ok);
    expect(joined).toHaveLength(n);
    for (const ack of joined) {
      expect(ack.memberCount).toBeGreaterThan(0);
      expect(ack.members).toHaveLength(ack.memberCount ?? -1);
    }

    // The last update reaches everyone: every member ends with the full room.
    await expect
      .poll(() => sockets.map((_, i) => lastView(joined[i] as ChatJoinResult, seen[i] ?? [])), {
        timeout: 5000,
      })
      .toEqual(Array.from({ length: n }, () => `${n}:${n}`));

    const perClient = seen.map((events) => events.length);
    const broadcasts = test.wirekit.health().counters.presenceBroadcasts;
    // One-per-join presence would be n - 1 messages per client and n broadcasts.
    expect(Math.max(...perClient)).toBeLessThan(n / 5);
    expect(broadcasts).toBeLessThan(n / 5);
    expect(Math.max(...perClient)).toBeLessThanOrEqual(broadcasts);
    expect(test.wirekit.chat.presence.flushes).toBeLessThan(n / 5);

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
