import { describe, expectTypeOf, it } from 'vitest';
import type { Connection } from './Connection.js';

type In = Record<string, unknown>;
type Out = { 'score:add': { team: string } };
declare const connection: Connection<In, Out>;

describe('Connection.send types', () => {
  it('returns the client id without ack, a promise of the reply with it', () => {
    expectTypeOf(connection.send('score:add', { team: 'a' })).toEqualTypeOf<string>();
    expectTypeOf(
      connection.send('score:add', { team: 'a' }, { volatile: true, cid: 'c0' }),
    ).toEqualTypeOf<string>();
    expectTypeOf(
      connection.send<'score:add', { ok: true }>('score:add', { team: 'a' }, { ack: true }),
    ).toEqualTypeOf<Promise<{ ok: true }>>();
  });

  it('picks the acked overload for options built outside the call', () => {
    // Not a literal, so no excess-property check: `{ ack, cid }` also fits `SendOptions`.
    const acked = { ack: true as const, cid: 'c1' };
    expectTypeOf(connection.send('score:add', { team: 'a' }, acked)).toEqualTypeOf<
      Promise<unknown>
    >();
    const timed = { ack: true as const, timeout: 100, cid: 'c2' };
    expectTypeOf(connection.send('score:add', { team: 'a' }, timed)).toEqualTypeOf<
      Promise<unknown>
    >();
    // @ts-expect-error: wrong payload
    connection.send('score:add', { team: 1 }, acked);
  });
});
