import { expect, test } from '@playwright/test';
import { signIn, visit } from './helpers.js';

test('signing out ends the socket session of every tab of that browser', async ({ browser }) => {
  // A room of its own: a dev server reused between runs keeps history.
  const room = `/chat/logout-${Date.now()}`;
  const kim = await signIn(browser, 'Kim');
  const lee = await signIn(browser, 'Lee');
  const kimOtherTab = await kim.context().newPage();
  await visit(kimOtherTab, room);
  await visit(lee, room);
  await expect(lee.getByText('2 online')).toBeVisible();

  await kim.getByRole('button', { name: 'Sign out' }).click();
  await expect(kim.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // The other tab is no longer Kim: Lee sees Kim leave, and nothing it sends reaches Lee.
  await expect(lee.getByText('1 online')).toBeVisible();
  const kimBox = kimOtherTab.getByRole('textbox', { name: /message/i });
  await kimBox.fill('Still Kim?');
  await kimBox.press('Enter');
  const leeBox = lee.getByRole('textbox', { name: /message/i });
  await leeBox.fill('Marker');
  await leeBox.press('Enter');
  await expect(lee.getByRole('log').getByText('Marker')).toHaveCount(1);
  await expect(lee.getByRole('log').getByText('Still Kim?')).toHaveCount(0);

  await kim.context().close();
  await lee.context().close();
});

test('after signing out, Back does not bring the signed-in page back', async ({ browser }) => {
  const uma = await signIn(browser, 'Uma');
  await visit(uma, '/chat/general');
  await expect(uma.locator('.wk-chat')).toHaveAttribute('data-state', 'ready');
  await uma.getByRole('button', { name: 'Sign out' }).click();
  await expect(uma.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await uma.goBack();
  await expect(uma).toHaveURL(/\/$/);
  await expect(uma.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(uma.getByTestId('me')).toHaveCount(0);
  await uma.context().close();
});
