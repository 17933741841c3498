import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  ClientEvents,
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  ServerEvents,
  ackError,
  ackOk,
  createSchemas,
  isAckError,
  schemas,
  validatePayload,
  type ClientEvent,
  type ServerEvent,
} from './index.js';

const message = {
  id: 'lrx3k2a9-0001-4f9a2c81d3e0b7a1',
  room: 'lobby',
  seq: 1,
  text: 'hello',
  user: { id: 'alice', name: 'Alice' },
  clientId: 'c-1',
  createdAt: 1_700_000_000_000,
};
const notification = {
  id: 'n1',
  title: 'Build passed',
  kind: 'success',
  createdAt: 1_700_000_000_000,
  read: false,
};
const long = (n: number) => 'x'.repeat(n);

/** Valid and invalid payloads of every client event. */
const clientCases: Record<ClientEvent, { valid: unknown[]; invalid: unknown[] }> = {
  'wk:ping': { valid: [undefined, {}], invalid: [] },
  'chat:join': {
    valid: [{ room: 'lobby' }, { room: 'team:dev_1.x-y', limit: 100 }, { room: 'a'.repeat(64) }],
    invalid: [
      undefined,
      'lobby',
      {},
      { room: '' },
      { room: '-lobby' },
      { room: 'with space' },
      { room: '../etc' },
      { room: 'a'.repeat(65) },
      { room: 'lobby', limit: 0 },
      { room: 'lobby', limit: 101 },
      { room: 'lobby', limit: 1.5 },
      { room: 42 },
    ],
  },
  'chat:leave': { valid: [{ room: 'lobby' }], invalid: [{}, { room: 'a b' }, null] },
  'chat:changes': {
    valid: [
      { room: 'lobby', since: 0 },
      { room: 'lobby', since: 12, limit: 100 },
    ],
    invalid: [
      { room: 'lobby' },
      { room: 'lobby', since: -1 },
      { room: 'lobby', since: 1.5 },
      { room: 'lobby', since: '3' },
      { room: 'lobby', since: Number.MAX_SAFE_INTEGER + 2 },
      { room: 'lobby', since: 0, limit: 101 },
      { since: 0 },
    ],
  },
  'chat:send': {
    valid: [
      { room: 'lobby', text: 'hi' },
      { room: 'lobby', text: long(4000), clientId: 'c_1' },
      { room: 'lobby', text: ' padded ' },
    ],
    invalid: [
      { room: 'lobby' },
      { room: 'lobby', text: '' },
      { room: 'lobby', text: ' \n\t ' },
      { room: 'lobby', text: long(4001) },
      { room: 'lobby', text: 5 },
      { room: 'lobby', text: 'hi', clientId: 'has space' },
      { room: 'lobby', text: 'hi', clientId: long(65) },
      { text: 'hi' },
    ],
  },
  'chat:edit': {
    valid: [{ room: 'lobby', id: 'm1', text: 'fixed' }],
    invalid: [
      { room: 'lobby', id: 'm1' },
      { room: 'lobby', text: 'x' },
      { room: 'lobby', id: '', text: 'x' },
    ],
  },
  'chat:delete': {
    valid: [{ room: 'lobby', id: 'm1' }],
    invalid: [{ room: 'lobby' }, { room: 'lobby', id: 'm 1' }],
  },
  'chat:typing': {
    valid: [
      { room: 'lobby', typing: true },
      { room: 'lobby', typing: false },
    ],
    invalid: [{ room: 'lobby' }, { room: 'lobby', typing: 'yes' }],
  },
  'chat:history': {
    valid: [{ room: 'lobby' }, { room: 'lobby', before: '42', limit: 20 }],
    invalid: [
      { room: 'lobby', before: '' },
      { room: 'lobby', before: long(65) },
      { room: 'lobby', limit: -1 },
    ],
  },
  'notify:list': {
    valid: [undefined, {}, { limit: 10 }, { before: '7' }],
    invalid: [{ limit: 0 }, { before: 7 }, 'all'],
  },
  'notify:read': {
    valid: [{ ids: ['n1'] }, { ids: Array.from({ length: 100 }, (_, i) => `n${i}`) }],
    invalid: [
      { ids: [] },
      { ids: 'n1' },
      { ids: [1] },
      { ids: Array.from({ length: 101 }, (_, i) => `n${i}`) },
      {},
    ],
  },
  'notify:read-all': { valid: [undefined, {}], invalid: ['all', 1] },
  'notify:dismiss': {
    valid: [{ ids: ['n1', 'n2'] }],
    invalid: [{ ids: [] }, { ids: ['bad id'] }],
  },
};

/** Valid and invalid payloads of every server event. */
const serverCases: Record<ServerEvent, { valid: unknown[]; invalid: unknown[] }> = {
  'wk:hello': {
    valid: [{ protocol: 1, user: { id: 'a' }, limits: DEFAULT_LIMITS }],
    invalid: [{ protocol: 1, user: { id: 'a' } }],
  },
  'wk:error': {
    valid: [{ code: 'unauthorized', message: 'token expired' }],
    invalid: [{ code: 'nope', message: 'x' }, { code: 'internal' }],
  },
  'chat:message': {
    valid: [
      message,
      { ...message, text: '', deletedAt: 5 },
      { ...message, editedAt: 3, clientId: undefined },
      { ...message, editedAt: 3, version: 2 },
      { ...message, createdAt: 8.64e15 },
    ],
    invalid: [
      { ...message, seq: 0 },
      { ...message, version: 0 },
      { ...message, createdAt: 8.64e15 + 1 },
      { ...message, version: 1.5 },
      { ...message, user: {} },
      { ...message, room: 'a b' },
      { ...message, id: undefined },
    ],
  },
  'chat:edited': { valid: [message], invalid: [{ ...message, text: long(4001) }] },
  'chat:deleted': {
    valid: [{ room: 'lobby', id: 'm1', deletedAt: 1 }],
    invalid: [{ room: 'lobby', id: 'm1' }],
  },
  'chat:typing': {
    valid: [{ room: 'lobby', user: { id: 'a' }, typing: true }],
    invalid: [{ room: 'lobby', typing: true }],
  },
  'chat:presence': {
    valid: [
      { room: 'lobby', user: { id: 'a', name: 'A' }, action: 'join' },
      { room: 'lobby', count: 2, members: [{ id: 'a' }, { id: 'b', name: 'B' }] },
      { room: 'lobby', count: 5000 },
    ],
    invalid: [
      { room: 'lobby', user: { id: 'a' }, action: 'away' },
      { room: 'lobby', count: -1 },
      { room: 'lobby', count: 1.5, members: [] },
      { room: 'lobby', members: [{ id: 'a' }] },
      { room: 'lobby', count: 1, members: [{}] },
    ],
  },
  'notify:new': {
    valid: [
      { notification, unread: 3 },
      { notification: { ...notification, data: { a: [1] }, url: '/x' }, unread: 0 },
    ],
    invalid: [
      { notification, unread: -1 },
      { notification: { ...notification, kind: 'fatal' }, unread: 1 },
    ],
  },
  'notify:unread': {
    valid: [
      { unread: 0 },
      { unread: 2, read: ['n1'] },
      { unread: 0, allRead: true },
      { unread: 1, dismissed: ['n2'] },
    ],
    invalid: [{}, { unread: 1.5 }],
  },
};

describe('protocol', () => {
  it('is versioned and names its events', () => {
    expect(PROTOCOL_VERSION).toBe(1);
    expect(ClientEvents.chatSend).toBe('chat:send');
    expect(ClientEvents.ping).toBe('wk:ping');
    expect(ServerEvents.notifyNew).toBe('notify:new');
    // Every named event has a schema.
    for (const event of Object.values(ClientEvents)) expect(schemas.client).toHaveProperty(event);
    for (const event of Object.values(ServerEvents)) expect(schemas.server).toHaveProperty(event);
  });

  describe.each(Object.entries(clientCases))('client event %s', (event, cases) => {
    const schema = schemas.client[event as ClientEvent];
    it.each(cases.valid.map((c) => [JSON.stringify(c)?.slice(0, 60), c]))('accepts %s', (_, c) => {
      expect(v.safeParse(schema, c).success).toBe(true);
    });
    if (cases.invalid.length > 0) {
      it.each(cases.invalid.map((c) => [JSON.stringify(c)?.slice(0, 60), c]))(
        'rejects %s',
        (_, c) => {
          expect(v.safeParse(schema, c).success).toBe(false);
        },
      );
    }
  });

  describe.each(Object.entries(serverCases))('server event %s', (event, cases) => {
    const schema = schemas.server[event as ServerEvent];
    it.each(cases.valid.map((c) => [JSON.stringify(c)?.slice(0, 60), c]))('accepts %s', (_, c) => {
      expect(v.safeParse(schema, c).success).toBe(true);
    });
    it.each(cases.invalid.map((c) => [JSON.stringify(c)?.slice(0, 60), c]))(
      'rejects %s',
      (_, c) => {
        expect(v.safeParse(schema, c).success).toBe(false);
      },
    );
  });

  it('validates ack results', () => {
    expect(v.safeParse(schemas.results['chat:send'], { message, duplicate: false }).success).toBe(
      true,
    );
    expect(
      v.safeParse(schemas.results['chat:join'], {
        room: 'lobby',
        messages: [message],
        nextCursor: null,
        members: [{ id: 'a' }],
      }).success,
    ).toBe(true);
    expect(
      v.safeParse(schemas.results['notify:list'], {
        items: [notification],
        unread: 1,
        nextCursor: '3',
      }).success,
    ).toBe(true);
    expect(
      v.safeParse(schemas.results['chat:history'], { room: 'lobby', messages: [] }).success,
    ).toBe(false);
  });

  it('implements the Standard Schema interface', async () => {
    const std = schemas.client['chat:send']['~standard'];
    expect(std.version).toBe(1);
    expect(std.vendor).toBe('valibot');
    const good = await std.validate({ room: 'lobby', text: 'hi' });
    expect(good).toMatchObject({ value: { room: 'lobby', text: 'hi' } });
    expect('issues' in good && good.issues).toBeFalsy();
    const bad = await std.validate({ room: 'lobby', text: '' });
    expect('issues' in bad && bad.issues?.length).toBeGreaterThan(0);
  });

  it('applies custom limits', () => {
    const custom = createSchemas({
      maxTextLength: 10,
      maxPageSize: 5,
      maxBatchSize: 2,
      maxRoomNameLength: 4,
    });
    expect(custom.limits.maxTextLength).toBe(10);
    expect(v.safeParse(custom.client['chat:send'], { room: 'r', text: long(11) }).success).toBe(
      false,
    );
    expect(v.safeParse(custom.client['chat:history'], { room: 'r', limit: 6 }).success).toBe(false);
    expect(v.safeParse(custom.client['notify:read'], { ids: ['a', 'b', 'c'] }).success).toBe(false);
    expect(v.safeParse(custom.client['chat:join'], { room: 'abcde' }).success).toBe(false);
  });

  it('turns failures into typed ack errors', () => {
    const tooLong = validatePayload(schemas.client['chat:send'], {
      room: 'lobby',
      text: long(4001),
    });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'too_large' } });
    const invalid = validatePayload(schemas.client['chat:send'], { room: 'a b', text: 'x' });
    expect(invalid).toMatchObject({
      ok: false,
      error: { code: 'invalid', issues: [{ path: 'room' }] },
    });
    expect(validatePayload(schemas.client['notify:list'], undefined)).toEqual({
      ok: true,
      value: {},
    });
  });

  it('builds acks', () => {
    const good = ackOk({ unread: 2 });
    const bad = ackError('rate_limited', 'slow down', { retryAfterMs: 100 });
    expect(good).toEqual({ ok: true, unread: 2 });
    expect(bad).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 100 },
    });
    expect(isAckError(bad)).toBe(true);
    expect(isAckError(good)).toBe(false);
  });
});
