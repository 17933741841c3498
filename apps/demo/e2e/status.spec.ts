import { expect, test } from '@playwright/test';
import { signIn, visit } from './helpers.js';

test('status page: pool snapshot and live server stats over SSE', async ({ browser }) => {
  const erin = await signIn(browser, 'Erin');
  await visit(erin, '/status');
  await expect(erin.getByTestId('sse-state')).toHaveText('connected');
  await expect(erin.getByTestId('live-connections')).toHaveText(/^[1-9]\d*$/);
  await expect(erin.getByTestId('pool-row').first()).toContainText('connected');
  await erin.context().close();
});

test('the dev monitor overlay shows the connection and its state change', async ({ browser }) => {
  const frank = await signIn(browser, 'Frank');
  await visit(frank, '/chat/general');
  const monitor = frank.getByRole('region', { name: /wirekit connections?/i });
  await expect(monitor).toBeVisible();
  await expect(monitor).toContainText('connected');
  // Going offline: the browser's offline event triggers an immediate heartbeat check.
  await frank.context().setOffline(true);
  await expect(monitor).toContainText(/reconnecting/, { timeout: 30_000 });
  await frank.context().setOffline(false);
  await expect(monitor).toContainText('connected', { timeout: 30_000 });
  await frank.context().close();
});
