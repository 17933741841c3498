import { fail, redirect } from '@sveltejs/kit';
import { getWirekit } from '@wirekit/server';
import { userIdFor } from '$lib/server/tokens.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.user) redirect(303, '/');
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    if (!locals.user) return fail(401, { error: 'Sign in first.' });
    const form = await request.formData();
    const target = String(form.get('target') ?? 'me');
    // Anything else would quietly go to the sender (or, mistyped, to the wrong people).
    if (!['me', 'user', 'all'].includes(target)) {
      return fail(400, { error: 'Choose who gets the notification.' });
    }
    const title = String(form.get('title') ?? '').trim();
    const body = String(form.get('body') ?? '').trim();
    const url = String(form.get('url') ?? '').trim();
    if (!title) return fail(400, { error: 'A title is required.' });
    const wirekit = getWirekit();
    if (!wirekit) return fail(503, { error: 'The realtime server is not running.' });
    const name = String(form.get('user') ?? '').trim();
    if (target === 'user' && !name) return fail(400, { error: 'Name the user to notify.' });
    // null: everyone.
    const to = target === 'all' ? null : target === 'user' ? userIdFor(name) : locals.user.id;
    try {
      // One user as a one-element list: a bare string 'all' broadcasts to everyone, and that
      // is also the id of whoever signs in as "All".
      await wirekit.notify(to === null ? 'all' : [to], {
        title,
        ...(body ? { body } : {}),
        ...(url ? { url } : {}),
      });
    } catch (error) {
      return fail(400, { error: error instanceof Error ? error.message : 'Could not send.' });
    }
    return { sent: to ?? 'everyone' };
  },
};
