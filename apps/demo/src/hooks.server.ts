import type { Handle } from '@sveltejs/kit';
import { SESSION_COOKIE, verifySessionToken } from '$lib/server/tokens.js';

export const handle: Handle = async ({ event, resolve }) => {
  const claims = verifySessionToken(event.cookies.get(SESSION_COOKIE));
  event.locals.user = claims ? { id: claims.sub, name: claims.name } : null;
  const response = await resolve(event);
  // A signed-in user's pages must not come back from the browser's caches (Back after signing
  // out would show their chats again, signed in): every visit asks the server.
  if (event.locals.user && !response.headers.has('cache-control')) {
    response.headers.set('cache-control', 'private, no-store');
  }
  return response;
};
