import { createPool } from '@wirekit/core';
import { expectTypeOf, test } from 'vitest';
import {
  useChatRoom,
  useConnection,
  type MaybeGetter,
  type ReactiveChatRoom,
  type ReactiveConnection,
} from './index.js';

// Type aliases, not interfaces: core's EventMap is an index-signature record.
type In = {
  'score:update': { team: string; points: number };
};
type Out = {
  'score:add': { team: string };
};

test('useConnection carries the event maps into on() and send()', () => {
  const pool = createPool();
  const conn = useConnection<In, Out>('/scores', { pool });
  expectTypeOf(conn).toEqualTypeOf<ReactiveConnection<In, Out>>();
  conn.on('score:update', (data) => {
    expectTypeOf(data).toEqualTypeOf<{ team: string; points: number }>();
  });
  expectTypeOf(conn.send('score:add', { team: 'a' })).toEqualTypeOf<string>();
  expectTypeOf(
    conn.send<'score:add', { ok: true }>('score:add', { team: 'a' }, { ack: true }),
  ).toEqualTypeOf<Promise<{ ok: true }>>();
  // An options object built elsewhere (not a literal) still picks the acked overload.
  const acked = { ack: true as const, cid: 'c1' };
  expectTypeOf(conn.send('score:add', { team: 'a' }, acked)).toEqualTypeOf<Promise<unknown>>();
  // @ts-expect-error: unknown inbound event
  conn.on('nope', () => {});
  // @ts-expect-error: wrong payload
  conn.send('score:add', { team: 1 });
  expectTypeOf(conn.state).toEqualTypeOf<
    'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed'
  >();
});

test('inputs accept a value or a getter', () => {
  expectTypeOf<() => string>().toExtend<MaybeGetter<string>>();
  expectTypeOf(useChatRoom).parameter(0).toEqualTypeOf<MaybeGetter<string>>();
  expectTypeOf(useChatRoom).returns.toEqualTypeOf<ReactiveChatRoom>();
});
