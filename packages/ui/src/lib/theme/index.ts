// theme.css itself is imported by each component's `.svelte` file (so it ships with the
// component and stays out of the `.d.ts` files).
export { ROOT_CLASS, themeTokens, type ThemeToken } from './tokens.js';
