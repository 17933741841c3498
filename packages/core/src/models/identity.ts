import type { Connection } from '../connection/Connection.js';
import type { UserRef } from '../protocol/types.js';

/**
 * Who the server said we are (`wk:hello`), per connection. The hello comes once per session,
 * so a model created later on an open connection (another room, a re-targeted prop) would
 * otherwise not know which messages are its own.
 */
const selves = new WeakMap<Connection, UserRef>();

export function rememberSelf(connection: Connection, user: UserRef): void {
  selves.set(connection, user);
}

export function knownSelf(connection: Connection): UserRef | null {
  return selves.get(connection) ?? null;
}
