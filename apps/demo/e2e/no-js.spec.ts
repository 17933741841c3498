import { expect, test } from '@playwright/test';

test('without JavaScript: sign in, and notify another user by name', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const mo = await context.newPage();
  await mo.goto('/');
  await mo.getByLabel('Display name').fill('Mo');
  await mo.getByRole('button', { name: 'Sign in' }).click();
  await expect(mo.getByTestId('me')).toHaveText('Mo');

  await mo.goto('/notifications');
  await mo.getByLabel('A user').check();
  await mo.getByLabel('Display name').fill('Nia');
  await mo.getByLabel('Title').fill('Sent without JavaScript');
  await mo.getByRole('button', { name: 'Send' }).click();
  await expect(mo.getByRole('status')).toContainText('Sent to nia');
  await context.close();
});

test('notifying "A user" without a name, or an unknown recipient, is refused', async ({ page }) => {
  const context = page.context();
  await page.goto('/');
  await page.getByLabel('Display name').fill('Olu');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('me')).toHaveText('Olu');
  // What a script-less browser or a hand-made request sends when no name was typed.
  for (const target of ['user', 'everyone']) {
    const res = await context.request.post('/notifications', {
      form: { target, title: 'To nobody' },
      headers: { origin: new URL(page.url()).origin, accept: 'application/json' },
    });
    const body = (await res.json()) as { type: string; status?: number };
    expect(body, target).toMatchObject({ type: 'failure', status: 400 });
  }
});
