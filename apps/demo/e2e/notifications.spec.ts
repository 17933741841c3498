import { expect, test } from '@playwright/test';
import { signIn, visit } from './helpers.js';

test('a notification reaches only its user: badge, toast, mark all read', async ({ browser }) => {
  const carol = await signIn(browser, 'Carol');
  const dave = await signIn(browser, 'Dave');
  await visit(dave, '/chat');
  const daveBell = dave.getByRole('button', { name: /notifications/i });
  const carolBell = carol.getByRole('button', { name: /notifications/i });
  await expect(daveBell).toBeVisible();

  await visit(carol, '/notifications');
  await carol.getByLabel('A user').check();
  await carol.getByLabel('Display name').fill('Dave');
  await carol.getByLabel('Title').fill('Deploy finished');
  await carol.getByRole('button', { name: 'Send' }).click();
  await expect(carol.getByRole('status')).toContainText('Sent to dave');

  // Dave: badge and toast.
  await expect(daveBell).toHaveAccessibleName(/1 unread/i);
  const toasts = dave.getByRole('region', { name: 'New notifications' });
  await expect(toasts.getByRole('group', { name: 'Deploy finished' })).toBeVisible();
  // Carol: nothing.
  await expect(carolBell).not.toHaveAccessibleName(/\d+ unread/i);

  await daveBell.click();
  const dialog = dave.getByRole('dialog');
  await expect(dialog.getByText('Deploy finished')).toBeVisible();
  await dialog.getByRole('button', { name: /mark all as read/i }).click();
  await expect(daveBell).not.toHaveAccessibleName(/\d+ unread/i);

  await carol.context().close();
  await dave.context().close();
});

test('a second notification to the same user goes to that user too', async ({ browser }) => {
  const wes = await signIn(browser, 'Wes');
  await visit(wes, '/notifications');
  await wes.getByLabel('A user').check();
  await wes.getByLabel('Display name').fill('Xia');
  for (const title of ['First', 'Second']) {
    await wes.getByLabel('Title').fill(title);
    await wes.getByRole('button', { name: 'Send' }).click();
    // Cleared once the send went through (the status reads the same both times).
    await expect(wes.getByLabel('Title')).toHaveValue('');
    await expect(wes.getByRole('status')).toHaveText('Sent to xia.');
  }
  await wes.context().close();
});
