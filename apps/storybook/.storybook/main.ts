import type { StorybookConfig } from '@storybook/sveltekit';

const config: StorybookConfig = {
  stories: ['../src/**/*.stories.svelte'],
  addons: [
    '@storybook/addon-svelte-csf',
    '@storybook/addon-docs',
    '@storybook/addon-a11y',
    '@storybook/addon-vitest',
  ],
  framework: { name: '@storybook/sveltekit', options: {} },
  // No usage data leaves the machine (CI also sets STORYBOOK_DISABLE_TELEMETRY).
  core: { disableTelemetry: true },
};

export default config;
