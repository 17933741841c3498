/** Rooms listed in the demo; any room name matching the protocol's pattern works too. */
export const ROOMS = [
  { id: 'general', title: 'General', description: 'Say hello' },
  { id: 'random', title: 'Random', description: 'Anything goes' },
  { id: 'svelte', title: 'Svelte', description: 'Runes, snippets and SvelteKit' },
] as const;
