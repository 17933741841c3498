/**
 * The public theme tokens shared by every `@wirekit/ui` component. Set any of them as a CSS
 * custom property on a component (or an ancestor, or `:root`) to override the light and dark
 * defaults, e.g. `style="--wk-accent: rebeccapurple"`. Add `data-theme="dark"` (or `"light"`)
 * on the component or an ancestor to force a scheme; otherwise `prefers-color-scheme` decides.
 */
export const themeTokens = [
  '--wk-font',
  '--wk-font-size',
  '--wk-radius',
  '--wk-space',
  '--wk-bg',
  '--wk-fg',
  '--wk-muted',
  '--wk-surface',
  '--wk-border',
  '--wk-accent',
  '--wk-accent-fg',
  '--wk-own-bg',
  '--wk-own-fg',
  '--wk-danger',
  '--wk-success',
  '--wk-warning',
  '--wk-focus',
  '--wk-shadow',
] as const;

/** A public theme token name. */
export type ThemeToken = (typeof themeTokens)[number];

/** The class every component root carries; the theme defaults hang off it. */
export const ROOT_CLASS = 'wk-root';
