import { expect, test } from '@playwright/test';
import { hydrated } from './helpers.js';

test('a name typed before the page hydrates is kept, and signs in', async ({ page }) => {
  // Hold every request but the page itself until the name is typed: the form is usable
  // server-rendered, and hydration must not reset what was typed into it meanwhile.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') await held;
    await route.continue();
  });
  await page.goto('/', { waitUntil: 'commit' });
  await page.getByLabel('Display name').fill('Ines');
  await expect(page.locator('html[data-hydrated]')).not.toBeAttached();

  release();
  await hydrated(page);
  await expect(page.getByLabel('Display name')).toHaveValue('Ines');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByTestId('me')).toHaveText('Ines');
});
