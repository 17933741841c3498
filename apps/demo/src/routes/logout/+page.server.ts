import { redirect } from '@sveltejs/kit';
import { getWirekit } from '@wirekit/server';
import { SESSION_COOKIE, signInRoom, verifySessionToken } from '$lib/server/tokens.js';
import type { Actions } from './$types';

export const actions: Actions = {
  default: ({ cookies }) => {
    const session = verifySessionToken(cookies.get(SESSION_COOKIE));
    cookies.delete(SESSION_COOKIE, { path: '/' });
    // The browser's other tabs still hold sockets authenticated as this user: end them (on
    // every process, with the Redis adapter). They reconnect without a session, refused.
    if (session?.sid) getWirekit()?.namespace.in(signInRoom(session.sid)).disconnectSockets(true);
    redirect(303, '/');
  },
};
