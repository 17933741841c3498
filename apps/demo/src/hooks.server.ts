import type { Handle } from '@sveltejs/kit';
import { SESSION_COOKIE, verifySessionToken } from '$lib/server/tokens.js';

export const handle: Handle = async ({ event, resolve }) => {
  const claims = verifySessionToken(event.cookies.get(SESSION_COOKIE));
  event.locals.user = claims ? { id: claims.sub, name: claims.name } : null;
  return resolve(event);
};
