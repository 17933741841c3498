import { getWirekit } from '@wirekit/server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => ({ health: getWirekit()?.health() ?? null });
