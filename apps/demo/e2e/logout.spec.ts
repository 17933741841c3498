import { expect, test } from '@playwright/test';
import { signIn, visit } from './helpers.js';

test('signing out ends the session in every tab of that browser, and Back does not undo it', async ({
  browser,
}) => {
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

  // Back to the signed-in /chat page: not from the browser's caches, but the sign-in page.
  await kim.goBack();
  await expect(kim).toHaveURL(/\/$/);
  await expect(kim.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(kim.getByTestId('me')).toHaveCount(0);

  await kim.context().close();
  await lee.context().close();
});
