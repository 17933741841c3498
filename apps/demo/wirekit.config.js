// The demo's wirekit server options, shared by the Vite plugin (dev, preview) and server.js
// (production). Set REDIS_URL to use the Redis store and adapter (several processes).
import { verifySocketToken } from './src/lib/server/tokens.js';

const ROOMS = ['general', 'random', 'svelte'];

/** @returns {Promise<import('@wirekit/server/node').AttachToHttpOptions>} */
export async function wirekitOptions() {
  /** @type {import('@wirekit/server/node').AttachToHttpOptions} */
  const options = {
    authenticate: (token) => {
      const claims = verifySocketToken(token);
      return claims ? { id: claims.sub, name: claims.name, expiresAt: claims.exp } : null;
    },
    // Anyone may use the listed rooms and rooms they name themselves, but not private ones.
    authorizeRoom: (user, room) => !room.startsWith('dm:') || room.split(':').includes(user.id),
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
  options.setup = (io) => io.adapter(createAdapter(pub, sub));
  return options;
}

export { ROOMS };
