import { expect, test } from '@playwright/test';
import { signIn, visit } from './helpers.js';

test('a private dm: room is closed to a user whose id is "dm"', async ({ browser }) => {
  // A room of its own: a dev server reused between runs keeps history.
  const room = `/chat/dm:pat:quinn-${Date.now().toString(36)}`;
  const pat = await signIn(browser, 'Pat');
  await visit(pat, room);
  await expect(pat.locator('.wk-chat')).toHaveAttribute('data-state', 'ready');
  const box = pat.getByRole('textbox', { name: /message/i });
  await box.fill('For Quinn only');
  await box.press('Enter');
  await expect(pat.getByRole('log').locator('[data-state="pending"]')).toHaveCount(0);

  const intruder = await signIn(browser, 'DM');
  await visit(intruder, room);
  await expect(intruder.locator('.wk-chat')).toHaveAttribute('data-state', 'error');
  await expect(intruder.getByText('For Quinn only')).toHaveCount(0);

  await pat.context().close();
  await intruder.context().close();
});
