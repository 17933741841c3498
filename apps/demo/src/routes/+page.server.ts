import { fail, redirect } from '@sveltejs/kit';
import { createSessionToken, SESSION_COOKIE } from '$lib/server/tokens.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/chat');
};

export const actions: Actions = {
  default: async ({ request, cookies, url }) => {
    const name = String((await request.formData()).get('name') ?? '').trim();
    if (name.length < 2 || name.length > 32) {
      return fail(400, { name, error: 'Use 2 to 32 characters.' });
    }
    cookies.set(SESSION_COOKIE, createSessionToken(name), {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: url.protocol === 'https:',
      maxAge: 7 * 24 * 3600,
    });
    redirect(303, '/chat');
  },
};
