import { createPool, socketio } from '@wirekit/core';

/** The UI bench pages' pool: Socket.IO to the bench's wirekit server (`?server=`), as alice. */
export function benchPool() {
  return createPool({
    url: new URLSearchParams(location.search).get('server') ?? '',
    transport: socketio(),
    auth: () => 'token-alice',
    heartbeat: false,
  });
}
