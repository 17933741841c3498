import { describe, expectTypeOf, it } from 'vitest';
import type {
  Ack,
  ChatMessage,
  ClientAcks,
  ClientPayloadInputs,
  ClientPayloads,
  ClientToServerEvents,
  ErrorCode,
  Notification,
  ServerPayloads,
  ServerToClientEvents,
} from './index.js';
import {
  ClientEvents,
  ServerEvents,
  ackError,
  ackOk,
  schemas,
  type ClientEventName,
} from './index.js';

describe('protocol types', () => {
  it('infers payloads from the schemas', () => {
    expectTypeOf<ClientPayloads['chat:send']>().toEqualTypeOf<{
      room: string;
      text: string;
      clientId?: string | undefined;
    }>();
    expectTypeOf<ClientPayloads['notify:read']>().toEqualTypeOf<{ ids: string[] }>();
    // Defaults make an optional input required after parsing.
    expectTypeOf<ClientPayloadInputs['notify:list']>().toEqualTypeOf<
      { before?: string | undefined; limit?: number | undefined } | undefined
    >();
    expectTypeOf<ClientPayloads['notify:list']>().toEqualTypeOf<{
      before?: string | undefined;
      limit?: number | undefined;
    }>();
    expectTypeOf<ServerPayloads['chat:message']>().toEqualTypeOf<ChatMessage>();
    expectTypeOf<ServerPayloads['notify:new']['notification']>().toEqualTypeOf<Notification>();
  });

  it('types acks as a union on ok', () => {
    type SendAck = ClientAcks['chat:send'];
    expectTypeOf<SendAck>().toEqualTypeOf<Ack<{ message: ChatMessage; duplicate: boolean }>>();
    const ack = {} as SendAck;
    if (ack.ok) expectTypeOf(ack.message.seq).toEqualTypeOf<number>();
    else expectTypeOf(ack.error.code).toEqualTypeOf<ErrorCode>();
    expectTypeOf(ackOk({ unread: 1 })).toEqualTypeOf<{ ok: true } & { unread: number }>();
    expectTypeOf(ackError('invalid', 'x').ok).toEqualTypeOf<false>();
  });

  it('keeps event names literal', () => {
    expectTypeOf(ClientEvents.chatSend).toEqualTypeOf<'chat:send'>();
    expectTypeOf(ServerEvents.chatPresence).toEqualTypeOf<'chat:presence'>();
    expectTypeOf<ClientEventName>().toEqualTypeOf<keyof typeof schemas.client>();
  });

  it('provides Socket.IO event maps', () => {
    expectTypeOf<Parameters<ClientToServerEvents['chat:join']>[0]>().toEqualTypeOf<{
      room: string;
      limit?: number | undefined;
    }>();
    expectTypeOf<Parameters<ServerToClientEvents['chat:typing']>[0]>().toEqualTypeOf<
      ServerPayloads['chat:typing']
    >();
  });
});
