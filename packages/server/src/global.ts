import type { WirekitServer } from './attach.js';
import type { WirekitUser } from './services/session.js';

const KEY = Symbol.for('@wirekit/server');

type Holder = { [KEY]?: WirekitServer };

/**
 * The wirekit server the Vite plugin or the adapter-node helper attached in
 * this process, so SvelteKit endpoints and actions can call `notify()`.
 * `undefined` before it is attached (e.g. while building).
 *
 * @example
 * // src/routes/api/deploy/+server.ts
 * import { getWirekit } from '@wirekit/server';
 * await getWirekit()?.notify(locals.user.id, { title: 'Deployed', kind: 'success' });
 */
export function getWirekit<U extends WirekitUser = WirekitUser>(): WirekitServer<U> | undefined {
  return (globalThis as Holder)[KEY] as WirekitServer<U> | undefined;
}

/**
 * Makes a server the one {@link getWirekit} returns (the last one wins).
 * Returns a function that unregisters it if it is still the current one.
 */
export function registerWirekit(server: WirekitServer): () => void {
  const holder = globalThis as Holder;
  holder[KEY] = server;
  return () => {
    if (holder[KEY] === server) delete holder[KEY];
  };
}
