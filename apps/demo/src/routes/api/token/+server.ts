import { json } from '@sveltejs/kit';
import { createSocketToken, verifySessionToken, SESSION_COOKIE } from '$lib/server/tokens.js';
import type { RequestHandler } from './$types';

/** Mints a short-lived socket token from the session cookie; the pool calls it per connect. */
export const GET: RequestHandler = ({ cookies, setHeaders }) => {
  setHeaders({ 'cache-control': 'no-store' });
  const session = verifySessionToken(cookies.get(SESSION_COOKIE));
  if (!session) return json({ error: 'not signed in' }, { status: 401 });
  return json({ token: createSocketToken(session) });
};
