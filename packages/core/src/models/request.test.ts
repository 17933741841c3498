import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WirekitError } from '../errors.js';
import { schemas } from '../protocol/schemas.js';
import { request, toWirekitError } from './request.js';
import { createFakeServer } from './test-utils/fakeServer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function connected() {
  const fake = createFakeServer();
  const connection = fake.connection();
  connection.open();
  await vi.advanceTimersByTimeAsync(0);
  return { fake, connection };
}

describe('request', () => {
  it('validates the reply: ok, a wire error, or a malformed reply as invalid', async () => {
    const { fake, connection } = await connected();
    const schema = schemas.results['notify:read'];
    fake.replies.set('notify:read', () => ({ ok: true, unread: 3, extra: 'dropped' }));
    await expect(request(connection, 'notify:read', { ids: ['a'] }, schema)).resolves.toEqual({
      ok: true,
      value: { unread: 3 },
    });
    fake.replies.set('notify:read', () => ({
      ok: false,
      error: { code: 'forbidden', message: 'no' },
    }));
    const refused = await request(connection, 'notify:read', { ids: ['a'] }, schema);
    expect(refused).toEqual({ ok: false, error: { code: 'forbidden', message: 'no' } });
    fake.replies.set('notify:read', () => ({ ok: true, unread: 'many' }));
    const bad = await request(connection, 'notify:read', { ids: ['a'] }, schema);
    expect(bad.ok === false && bad.error).toBeInstanceOf(WirekitError);
    connection.close();
  });

  it('sends under the caller’s client id and refuses one that is already held', async () => {
    const { fake, connection } = await connected();
    fake.replies.set('chat:send', () => undefined); // never acked: stays held
    const first = request(
      connection,
      'chat:send',
      { room: 'r', text: 'a' },
      schemas.results['chat:send'],
      {
        cid: 'my-cid',
      },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.sent('chat:send')[0]?.cid).toBe('my-cid');
    const second = await request(
      connection,
      'chat:send',
      { room: 'r', text: 'b' },
      schemas.results['chat:send'],
      {
        cid: 'my-cid',
      },
    );
    expect(second).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    connection.close();
    await expect(first).resolves.toMatchObject({ ok: false, error: { kind: 'closed' } });
  });

  it('maps wire errors to WirekitError kinds, keeping the code', () => {
    expect(toWirekitError({ code: 'invalid', message: 'x' }).kind).toBe('invalid');
    expect(toWirekitError({ code: 'unauthorized', message: 'x' }).kind).toBe('unauthorized');
    const e = toWirekitError({ code: 'rate_limited', message: 'x', retryAfterMs: 5 });
    expect(e).toMatchObject({ kind: 'server', data: { code: 'rate_limited', retryAfterMs: 5 } });
  });
});
