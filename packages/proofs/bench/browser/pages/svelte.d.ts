// Lets tsc (`pnpm check`) type the bench pages' .svelte imports; Vite compiles them.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const component: Component<any, any>;
  export default component;
}
