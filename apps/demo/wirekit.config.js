// The demo's wirekit server options, shared by the Vite plugin (dev, preview) and server.js
// (production). Set REDIS_URL to use the Redis store and adapter (several processes).
import { signInRoom, verifySocketToken } from './src/lib/server/tokens.js';

const ROOMS = ['general', 'random', 'svelte'];

/** @returns {Promise<import('@wirekit/server/node').AttachToHttpOptions>} */
export async function wirekitOptions() {
  /** @type {import('@wirekit/server/node').AttachToHttpOptions} */
  const options = {
    authenticate: (token) => {
      const claims = verifySocketToken(token);
      return claims ? { id: claims.sub, name: claims.name, expiresAt: claims.exp } : null;
    },
    // Anyone may use the listed rooms and rooms they name themselves, but not private ones:
    // `dm:<id>:<id>` is for its two users only (the "dm" prefix itself is nobody's membership).
    authorizeRoom: (user, room) => {
      if (!room.startsWith('dm:')) return true;
      const members = room.split(':').slice(1);
      return members.length === 2 && members.includes(user.id);
    },
    // Each socket joins its sign-in's room: signing out disconnects them (logout action).
    setup: (io) => {
      io.on('connection', (socket) => {
        const sid = verifySocketToken(socket.handshake.auth?.token)?.sid;
        if (sid) void socket.join(signInRoom(sid));
      });
    },
  };
  const url = process.env.REDIS_URL;
  if (!url) return options;

  const [{ Redis }, { createAdapter }, { RedisStore }] = await Promise.all([
    import('ioredis'),
    import('@socket.io/redis-adapter'),
    import('@wirekit/server/redis'),
  ]);
  const client = new Redis(url);
  const pub = new Redis(url);
  const sub = pub.duplicate();
  options.store = new RedisStore({ client });
  const join = options.setup;
  options.setup = (io) => {
    io.adapter(createAdapter(pub, sub));
    join?.(io);
  };
  return options;
}

export { ROOMS };
