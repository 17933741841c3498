/**
 * `@wirekit/server/redis`: a {@link RedisStore} so several server processes
 * share history and notifications. Needs `ioredis` (peer dependency). For
 * fan-out between processes, also give Socket.IO the Redis adapter
 * (`@socket.io/redis-adapter`): see the README.
 *
 * @module
 */
export { RedisStore } from './store.js';
export type { RedisStoreOptions } from './store.js';
