/**
 * `@wirekit/ui`: drop-in Svelte 5 components over `@wirekit/svelte`. Give a pool with
 * `setPool(pool)` in a layout, then add one tag.
 *
 * @module
 */
export { ROOT_CLASS, themeTokens, type ThemeToken } from './theme/index.js';
export {
  chatLabelsEn,
  chatLabelsJa,
  en,
  ja,
  getLabels,
  mergeLabels,
  setLabels,
  type ChatPanelLabels,
  type LabelKey,
  type WirekitLabels,
} from './labels/index.js';
