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

test('names that slug alike are still distinct users; "All" is a user, not everyone', async ({
  browser,
}) => {
  // Non-Latin names: two users, not one.
  const zoya = await signIn(browser, 'Зоя');
  const ivan = await signIn(browser, 'Иван');
  await visit(zoya, '/chat/random');
  await visit(ivan, '/chat/random');
  await expect(zoya.getByText('2 online')).toBeVisible();
  await expect(ivan.getByText('2 online')).toBeVisible();

  // A user named "All" notifying themselves reaches only themselves.
  const all = await signIn(browser, 'All');
  const zoyaBell = zoya.getByRole('button', { name: /notifications/i });
  await notify(all, 'me', 'Only for All');
  await expect(all.getByRole('button', { name: /notifications/i })).toHaveAccessibleName(
    /1 unread/i,
  );
  // A marker sent after it: once Зоя has it, anything sent before it has arrived too.
  await notify(all, 'Зоя', 'For Zoya');
  const toasts = zoya.getByRole('region', { name: 'New notifications' });
  await expect(toasts.getByRole('group', { name: 'For Zoya' })).toBeVisible();
  await expect(zoyaBell).toHaveAccessibleName(/1 unread/i);

  for (const page of [zoya, ivan, all]) await page.context().close();
});
