import { Connection, type Transport } from '@wirekit/core';

// Never asked to connect: the connection below is inert.
const nowhere: Transport = {
  name: 'detached',
  canSend: true,
  canPing: false,
  local: false,
  connect() {
    throw new Error('detached: never connects'); // unreachable: the connection is inert
  },
};

/**
 * An inert, never-opened connection outside any pool. Wrappers show its (idle) snapshot, and
 * build models over it, before mount and during SSR, so a server render prints the initial
 * state without touching the pool.
 */
export function detachedConnection(key: string): Connection {
  return new Connection({ key, url: '', transport: nowhere, inert: true, heartbeat: false });
}

/**
 * A detached connection that is already `closed`: what wrappers show when their pool was
 * destroyed, instead of failing the component that mounts them.
 */
export function closedConnection(key: string): Connection {
  const connection = detachedConnection(key);
  connection.close();
  return connection;
}
