import { expect, test, type Page } from '@playwright/test';
import { signIn, visit } from './helpers.js';

async function notify(page: Page, to: 'me' | string, title: string) {
  await visit(page, '/notifications');
  if (to === 'me') {
    await page.getByLabel('Me', { exact: true }).check();
  } else {
    await page.getByLabel('A user').check();
    await page.getByLabel('Display name').fill(to);
  }
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('status')).toContainText('Sent to');
}

test('a user named "All" notifying themselves reaches only themselves', async ({ browser }) => {
  const all = await signIn(browser, 'All');
  const zed = await signIn(browser, 'Zed');
  const zedBell = zed.getByRole('button', { name: /notifications/i });
  await expect(zedBell).toBeVisible();

  await notify(all, 'me', 'Only for All');
  await expect(all.getByRole('button', { name: /notifications/i })).toHaveAccessibleName(
    /1 unread/i,
  );
  // A marker sent after it: once Zed has it, anything sent before it has arrived too.
  await notify(all, 'Zed', 'For Zed');
  const toasts = zed.getByRole('region', { name: 'New notifications' });
  await expect(toasts.getByRole('group', { name: 'For Zed' })).toBeVisible();
  await expect(zedBell).toHaveAccessibleName(/1 unread/i);
  await expect(toasts.getByRole('group', { name: 'Only for All' })).toHaveCount(0);

  await all.context().close();
  await zed.context().close();
});

test('two users with non-Latin names are two users', async ({ browser }) => {
  const zoya = await signIn(browser, 'Зоя');
  const ivan = await signIn(browser, 'Иван');
  await visit(zoya, '/chat/random');
  await visit(ivan, '/chat/random');
  await expect(zoya.getByText('2 online')).toBeVisible();
  await expect(ivan.getByText('2 online')).toBeVisible();

  await zoya.context().close();
  await ivan.context().close();
});
